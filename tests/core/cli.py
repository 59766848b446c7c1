"""Run the real ``salescope`` console entry point in-process."""

import pytest
from django.db import connections

from salescope.cli import main


def run_salescope(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    # Django closes every connection when a command finishes; inside a test that would close
    # the test transaction's connection, so keep it open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["salescope", *args])
