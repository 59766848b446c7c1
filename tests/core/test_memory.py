"""``cycle_collector_paused`` holds the cycle collector inside and leaves it as it found it."""

import gc

import pytest

from salescope.core.memory import cycle_collector_paused


def _failing_answer() -> None:
    with cycle_collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the answer failed")


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_held_inside_and_restored_after(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError):
            _failing_answer()
        assert gc.isenabled() is enabled
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
