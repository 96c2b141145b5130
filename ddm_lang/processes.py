"""Worker processes that end with the process that started them.

A pool's worker outlives a parent killed with `kill -9`: left alone it would go on
writing creatives no manifest records, or holding a perception model's memory, for as long
as its queue lasts. Batch and perception pools call `follow_parent` in their initializer.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PARENT_POLL_SECONDS = 0.5
PR_SET_PDEATHSIG = 1      # <sys/prctl.h>


def follow_parent(parent: int) -> None:
    """End this worker when the process that started it (`parent`) ends, however it
    ends (`kill -9` included): Linux delivers SIGKILL on the parent's death
    (PR_SET_PDEATHSIG); everywhere a daemon thread also watches for a new parent process
    id, which an orphan gets."""
    _set_death_signal()
    if os.getppid() != parent:      # the parent died before the death signal was set
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="ddm-parent-watch",
                     daemon=True).start()


def _set_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass            # the watching thread still ends this process


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
