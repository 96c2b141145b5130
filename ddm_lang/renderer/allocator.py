"""Keep freed memory in the process between renders (glibc's malloc only).

Each creative allocates and frees buffers of megabytes: the canvas, layers, decoded and
resampled photos, filter planes. glibc serves such blocks with mmap below a threshold it
moves as blocks come and go, and trims the top of the heap when enough is free, so from
one render to the next some of them go back to the kernel and the next render faults each
4 KiB page in again: at 1080² that was ~700 faults and 2 ms of a 10 ms render, varying
with whichever allocations happened to come first. Fixing the two thresholds (which also
stops glibc moving them) keeps the memory for the next render. A renderer process holds
at most `TRIM_THRESHOLD` of free memory this way.
"""

from __future__ import annotations

import ctypes
import os
import platform

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc's largest mmap threshold on 64-bit: blocks below it come from the heap.
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024

_done = False


def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds once per process; False where that does not apply
    (not glibc, or DDM_MALLOC=system asks to leave the allocator alone)."""
    global _done
    if _done:
        return True
    if os.environ.get("DDM_MALLOC") == "system" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and \
            libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    except (OSError, AttributeError):
        return False
    _done = ok
    return ok
