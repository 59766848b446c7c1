"""What an import tells the apps above it when it has written its rows.

``import_finished`` is sent inside the import's transaction, once per import that stored
something (never for a dry run), by the shared row loop (``common.run_import``: customers,
products, invoices, collections) and by the sales-line import. ``sender`` is the import's kind
(``"sales_lines"``, ``"customers"``…); keyword ``actor``. A receiver enqueues follow-up work
(``core.tasks.enqueue`` writes it in the same transaction, so it runs only if the import
commits): the early warnings are evaluated again after each import this way, without the
ledger knowing about analytics, which sits above it.
"""

from django.dispatch import Signal

import_finished = Signal()
