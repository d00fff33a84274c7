"""The apps depend one way: pilots <- monitoring <- reports <- programme, and the read API (api) beside
programme, on the three; outbox stands alone.

Read from the source with ast, every module of each app (its tests included), so an import placed
inside a function counts as much as one at the top. Only outbox's tests are left out: they drive the
outbox with the real tasks of the apps that use it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPS = ("pilots", "monitoring", "reports", "outbox", "programme", "api")
# What each app must not import: every app above it (and outbox, which serves all, imports none of them).
FORBIDDEN = {
    "pilots": {"monitoring", "reports", "programme", "api"},
    "monitoring": {"reports", "programme", "api"},
    "reports": {"programme", "api"},
    "outbox": {"pilots", "monitoring", "reports", "programme", "api"},
    "programme": {"api"},
    "api": {"programme"},
}


def imported_apps(source: str) -> set[str]:
    """The top-level packages a module's source imports (absolute imports; relative ones stay inside the app)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def app_imports(app: str) -> dict[str, set[str]]:
    root = Path(settings.BASE_DIR) / app
    return {
        str(path.relative_to(settings.BASE_DIR)): imported_apps(path.read_text(encoding="utf-8"))
        for path in sorted(root.rglob("*.py"))
        if not (app == "outbox" and "tests" in path.relative_to(root).parts)
    }


def test_the_check_sees_imports_at_the_top_and_inside_functions():
    source = "import os\nfrom reports import pdf\ndef f():\n    import monitoring.figures\n    from . import y"
    assert imported_apps(source) == {"os", "reports", "monitoring"}


def test_the_check_reads_the_modules_that_combine_the_apps():
    # Positive control: the programme app does import the three apps below it, and the check sees it.
    seen = set().union(*app_imports("programme").values())
    assert {"pilots", "monitoring", "reports"} <= seen
    assert set().union(*app_imports("reports").values()) >= {"pilots", "monitoring"}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_no_app_built_on_it(app):
    modules = app_imports(app)
    assert modules, f"no modules found for {app}"
    wrong = {module: sorted(found & FORBIDDEN[app]) for module, found in modules.items() if found & FORBIDDEN[app]}
    assert wrong == {}
