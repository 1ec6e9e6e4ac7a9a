"""The allocator settings applied before whole-column work (booking_desktop.memory)."""

from __future__ import annotations

import ctypes
import platform
import sys

import pytest

from booking_desktop import memory


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_large_blocks_are_served_from_the_heap_and_kept_for_reuse():
    assert memory.tune_allocator() is True
    assert memory.tune_allocator() is True  # idempotent
    import pyarrow as pa

    assert pa.default_memory_pool().backend_name == "system"
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    libc.malloc_usable_size.restype = ctypes.c_size_t
    libc.malloc_usable_size.argtypes = (ctypes.c_void_p,)
    # an 8 MB block (one int64 per row of a million-row column): below the threshold, so not a fresh
    # mmap. glibc marks mmapped chunks with bit 1 (IS_MMAPPED) of the size word just before the block.
    p = libc.malloc(8 << 20)
    try:
        size_word = ctypes.c_size_t.from_address(p - ctypes.sizeof(ctypes.c_size_t)).value
        assert not size_word & 0x2
    finally:
        libc.free(p)


def test_elsewhere_it_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_state", {})
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.tune_allocator() is False
