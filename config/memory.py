"""Giving freed heap back to the system after a large request or task (glibc only).

CPython frees the objects of a 50 MB export or a 1,000-article import, but glibc's malloc keeps
the freed pages in its heap unless they sit at its very end: the process's memory stays at its
peak. `malloc_trim(0)` returns every free page; it costs ~5 ms on a quiet heap and ~100 ms on a
600 MB fragmented one, so it runs only when the resident size grew by TRIM_AFTER_GROWTH since
the last trim (one read of /proc/self/statm per call, ~20 µs).

Before trimming, a full garbage collection: some of what a large request leaves is not freed
until then. DRF's Request refers to itself (its parser context), so a bulk import's parsed
1,000 articles stayed in a reference cycle until the next full collection, which came rarely:
runserver grew by ~10 MiB per import (bench/README.md, "Peer operations: memory")."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading

TRIM_AFTER_GROWTH = 8 * 1024 * 1024

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_lock = threading.Lock()
_baseline: int | None = None


def _load_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return None


_malloc_trim = _load_trim()


def _resident() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def trim_if_grown() -> bool:
    """A full collection and malloc_trim(0) when the process grew by TRIM_AFTER_GROWTH since
    the last time; True if it trimmed."""
    global _baseline
    if _malloc_trim is None:
        return False
    try:
        resident = _resident()
    except OSError:
        return False
    with _lock:
        if _baseline is None or resident < _baseline:
            _baseline = resident
            return False
        if resident - _baseline < TRIM_AFTER_GROWTH:
            return False
        gc.collect()
        _malloc_trim(0)
        _baseline = _resident()
        return True
