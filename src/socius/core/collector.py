"""Pausing Python's cyclic garbage collector around bulk work.

A batch of a thousand interactions allocates tens of thousands of short-lived objects
(rows, model instances, dictionaries) that reference counting frees without help. Each
700 allocations the collector still runs, and every tenth of its runs of the older
generations walks every object alive in the process: as a process's heap grows, those
walks cost up to a sixth of a batch's time while finding nothing. Bulk work pauses the
collector; it resumes afterwards and collects whatever cycles were left, as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; nested and concurrent uses share one
    pause, and the collector is enabled again when the last one ends, if it was before."""
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()
