"""Imports from CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX with header mapping."""
