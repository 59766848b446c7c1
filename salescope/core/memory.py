"""Holding Python's cycle collector while a large acyclic answer, report or import batch is built
and dropped (the pivot API, target variance, the sales-line importer)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside. An answer of thousands of small lists and dicts
    (none of them cyclic; reference counting frees them) that is alive across collections is
    promoted to the oldest generation, and sets off full passes over it and everything else,
    the boot's ~250k objects included: 0.17–0.4 s a pass. (Freezing the boot's objects in the
    worker instead made those passes cheap but so frequent that every request paid: API list
    p50 18.9 → 20.1–25.4 ms over HTTP, A/B.) Whatever is built inside should be freed inside
    too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
