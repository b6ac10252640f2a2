"""config.memory: what a large request or task leaves behind is given back once it is done."""

from __future__ import annotations

import gc
import weakref

import pytest

from config import memory

pytestmark = pytest.mark.skipif(memory._malloc_trim is None, reason="malloc_trim is glibc's")


class _Parsed:
    """Stands for DRF's Request: it refers to itself, so only a full collection frees it."""

    def __init__(self) -> None:
        self.context = {"request": self}


@pytest.fixture
def resident(monkeypatch):
    """The process's resident size as the test sets it."""
    size = {"now": 500 * 1024 * 1024}
    monkeypatch.setattr(memory, "_resident", lambda: size["now"])
    monkeypatch.setattr(memory, "_baseline", None)
    return size


def _left_in_a_cycle() -> weakref.ref:
    gc.disable()  # no automatic collection may free it before the check does
    parsed = _Parsed()
    return weakref.ref(parsed)


def test_a_grown_process_frees_what_a_cycle_held(resident):
    assert memory.trim_if_grown() is False  # the first call sets the baseline
    try:
        held = _left_in_a_cycle()
        assert held() is not None
        resident["now"] += memory.TRIM_AFTER_GROWTH
        assert memory.trim_if_grown() is True
    finally:
        gc.enable()
    assert held() is None


def test_small_growth_costs_no_collection(resident):
    memory.trim_if_grown()
    try:
        held = _left_in_a_cycle()
        resident["now"] += memory.TRIM_AFTER_GROWTH - 1
        assert memory.trim_if_grown() is False
        assert held() is not None
    finally:
        gc.enable()
        gc.collect()
