"""The import framework every importer shares: file readers (CSV in UTF-8/GBK, XLSX), header
recognition, cell parsing, the row loop with one transaction and one audit entry, and the
per-line error list. An app's importer (``customers.importing``, ``catalog.importing``,
``ledger.importing``, ``org.imports``) supplies only its fields and how a row becomes a record.
"""
