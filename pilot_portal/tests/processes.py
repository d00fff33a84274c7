"""Real servers a test starts beside itself (gunicorn, a Celery worker, an S3 server): each in a process group of
its own, so that a test can kill one with its children, with its output in a log that is shown when the test ends."""

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


def cannot_run(reason: str) -> None:
    """Skips the test for want of what it needs; in CI, where everything a test needs is installed, fails it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run this test, not skip it)", pytrace=False)
    pytest.skip(reason)


def require_redis_and_postgresql() -> None:
    """Skips the test where REDIS_URL or a PostgreSQL database is missing; in CI fails it."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        cannot_run("needs REDIS_URL and PostgreSQL")


class ChildProcesses:
    """The processes one test started, each logging to `<folder>/<name>.log`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen, Path, object]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = self.folder / f"{name}.log"
        out = log.open("w")
        process = subprocess.Popen(
            command,
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process, log, out))
        return process, log

    def stop_all(self, shown: Callable[[str], str] = lambda text: text[-4000:]) -> None:
        """Asks each to stop, kills what of its group is left after 20 s, and prints (a part of) each log."""
        for name, process, log, out in self.started:
            if process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=20)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the worker pool's children, say, if the parent left them
            process.wait()
            out.close()
            print(f"----- {name} -----\n{shown(log.read_text())}")
