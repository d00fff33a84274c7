"""Where `make test`'s time goes: a pytest plugin that writes, per process, when each test started and ended.

    rm -rf /tmp/timeline && PYTHONPATH=scripts .venv/bin/pytest -p pytest_timeline -n 2 --dist loadgroup -q
    .venv/bin/python scripts/pytest_timeline.py /tmp/timeline

The second command prints, per test module, the seconds its tests took (set-up and tear-down included),
and, per process, when it had collected and when its last test ended: the run's wall time is the later
end, and two ends far apart mean one process idled while the other worked. Folder: TIMELINE_DIR."""

import collections
import os
import sys
import time
from pathlib import Path

import pytest

FOLDER = Path(os.environ.get("TIMELINE_DIR", "/tmp/timeline"))
STARTED = time.time()


def _write(line: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    with (FOLDER / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.tsv").open("a", encoding="utf-8") as out:
        out.write(line + "\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.time()
    try:
        return (yield)
    finally:
        _write(f"{start - STARTED:.2f}\t{time.time() - STARTED:.2f}\t{item.nodeid}")


def pytest_collection_finish(session):
    _write(f"{time.time() - STARTED:.2f}\t-\tcollected")


def report(folder: Path) -> None:
    by_module, tests = collections.Counter(), collections.Counter()
    for path in sorted(folder.glob("*.tsv")):
        lines = [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8")]
        runs = [(float(start), float(end), name) for start, end, name in lines if end != "-"]
        collected = next((start for start, end, name in lines if end == "-" and name == "collected"), "?")
        if not runs:
            continue
        print(f"{path.stem}: collected at {collected} s, last test ended at {max(e for _s, e, _n in runs):.1f} s")
        for start, end, name in runs:
            by_module[name.split("::")[0]] += end - start
            tests[name.split("::")[0]] += 1
    print(f"{sum(by_module.values()):.0f} s of tests in all")
    for module, seconds in by_module.most_common(25):
        print(f"{seconds:7.1f} s {tests[module]:5} tests  {module}")


if __name__ == "__main__":
    report(Path(sys.argv[1] if len(sys.argv) > 1 else FOLDER))
