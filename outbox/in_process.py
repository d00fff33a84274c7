"""In-process mode: with no broker (no REDIS_URL, as under `make run`) a task runs in the process that
asked for it. By default in a thread of its own, started after commit, so the page that asked answers
at once and its progress bar moves as it does with a worker; TASKS_IN_BACKGROUND=False runs it inline
(the test suite does, for determinism)."""

import logging
import threading

from django.conf import settings
from django.db import connections

from pilot_portal.celery import app

log = logging.getLogger(__name__)


def active() -> bool:
    return bool(app.conf.task_always_eager)


def run(task, args: list) -> None:
    if not settings.TASKS_IN_BACKGROUND:
        task.apply(args=args, throw=True)
        return
    # Not a daemon: a process that ends (a command, a reloading dev server) first lets its tasks finish.
    threading.Thread(target=_run, args=(task, args), name=f"in-process {task.name}", daemon=False).start()


def _run(task, args: list) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:
        log.exception("Task %s%s failed in the background", task.name, tuple(args))
    finally:
        # The thread's connections are its own; left open, each task would leave one behind.
        connections.close_all()
