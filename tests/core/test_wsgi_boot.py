"""A server process loads every page's code while it boots, not on its first request.

Importing the URL configuration imports every app's views (pandas, polars, openpyxl, the
forecasting models…): about 3 s of CPU. In a gunicorn worker that boot happens before the worker
accepts connections; left to the first request, the first person to open a page after
``make demo`` or a deploy waited for it (and the browser tests' 15 s timeout on a busy machine)."""

import os
import subprocess
import sys

PROBE = """
import sys
import salescope.wsgi
print(sorted(m for m in ("salescope.ledger.explorer_views", "salescope.forecasting.views",
                         "salescope.customers.views") if m not in sys.modules))
"""


def test_the_wsgi_application_has_loaded_every_view_when_it_is_built(tmp_path):
    env = {**os.environ, "SALESCOPE_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
