"""The engine's worker threads: one per core (at most two), shared by every call in the process.

A read has pieces that need not wait for one another: the recogniser's line batches, the warning
detectors, MultiCardDetect's search for a further card. onnxruntime and OpenCV release the GIL, so
run side by side they use both cores where one after another left one idle. Tasks given to the pool
never wait on other pool tasks (only the calling thread waits; ``side_by_side`` called inside a
task runs its pieces in place), so a busy pool delays, never deadlocks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

WORKERS = max(1, min(2, os.cpu_count() or 1))

_THREAD_PREFIX = "ocr-engine"
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=_THREAD_PREFIX)
    return _pool


def side_by_side(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Each task's result, in order: all but the last given to the pool, the last run on the calling
    thread meanwhile (one hand-off fewer). An exception in a task is raised here.

    Called from one of the pool's own threads (a task that itself has pieces), the tasks run there
    one after another: a pool thread waiting on the pool is how pools deadlock."""
    if not tasks:
        return []
    if WORKERS == 1 or len(tasks) == 1 or _in_pool():
        return [task() for task in tasks]
    futures: list[Future[T]] = [pool().submit(task) for task in tasks[:-1]]
    last = tasks[-1]()
    return [future.result() for future in futures] + [last]


def _in_pool() -> bool:
    return threading.current_thread().name.startswith(_THREAD_PREFIX)


def _forget_pool_in_child() -> None:
    # A forked worker (Celery prefork, gunicorn --preload) inherits the pool object but not its
    # threads: work submitted to it would wait forever. The child makes its own.
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool_in_child)
