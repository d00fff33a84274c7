"""Checks of the committed translation catalogues under locale/, for CI, done by GNU gettext's own tools.

    check_translations.py present  LOCALE_DIR --lang kk --lang ru --lang en
        every language has at least one .po file ("no catalogue found" otherwise)
    check_translations.py complete LOCALE_DIR --lang kk --lang ru
        `msgfmt --check` accepts each .po, and no entry is untranslated (`msgattrib --untranslated`,
        or a plural with an empty form) or fuzzy (`msgattrib --only-fuzzy`)
    check_translations.py compiled LOCALE_DIR --lang kk --lang ru --lang en
        each .po has its .mo beside it, and that .mo holds exactly what msgfmt makes of the .po now

Compiled catalogues are compared as Python's gettext loads them rather than byte for byte, so a
.mo compiled by another gettext version still counts as up to date. Standard library and gettext
(apt-get install gettext) only, so it runs before or without the project's virtualenv.
"""

import argparse
import gettext
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def catalogues(locale_dir: Path, lang: str) -> list[Path]:
    return sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po"))


def require_catalogues(locale_dir: Path, langs: list[str]) -> dict[str, list[Path]]:
    found = {lang: catalogues(locale_dir, lang) for lang in langs}
    missing = [lang for lang, paths in found.items() if not paths]
    for lang in missing:
        print(f"no catalogue found: {locale_dir / lang / 'LC_MESSAGES'}/*.po does not exist", file=sys.stderr)
    if missing:
        print("Create and commit them with `make messages`, then translate them.", file=sys.stderr)
        raise SystemExit(1)
    return found


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        print(f"{name} not found: install GNU gettext (apt-get install gettext).", file=sys.stderr)
        raise SystemExit(1)
    return path


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, capture_output=True, text=True)


def msgfmt(po: Path, mo: Path, *options: str) -> subprocess.CompletedProcess:
    """The same call as Django's compilemessages (plus `options`)."""
    return run(gettext_tool("msgfmt"), "--check-format", *options, "-o", str(mo), str(po))


def load_mo(path: Path) -> dict:
    with path.open("rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


def selected_entries(po: Path, *options: str) -> list[str]:
    """The entries msgattrib selects with `options`, as .po text; the header it always repeats is
    left out unless it is selected itself (a fuzzy header)."""
    result = run(gettext_tool("msgattrib"), "--no-obsolete", "--no-wrap", *options, str(po))
    if result.returncode != 0:
        raise SystemExit(f"{po}: msgattrib failed:\n{result.stderr.strip()}")
    blocks = [block.strip() for block in result.stdout.split("\n\n") if block.strip()]
    if blocks and 'msgid ""\nmsgstr ""' in blocks[0] and "--only-fuzzy" not in options:
        blocks = blocks[1:]
    if blocks and 'msgid ""\nmsgstr ""' in blocks[0] and "#, fuzzy" not in blocks[0]:
        blocks = blocks[1:]
    return blocks


def cmd_present(locale_dir: Path, langs: list[str]) -> int:
    for lang, paths in require_catalogues(locale_dir, langs).items():
        print(f"{lang}: " + ", ".join(str(p) for p in paths))
    return 0


def cmd_complete(locale_dir: Path, langs: list[str]) -> int:
    problems, counted = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for paths in require_catalogues(locale_dir, langs).values():
            for po in paths:
                mo = Path(tmp) / f"{po.parent.parent.name}-{po.stem}.mo"
                checked = msgfmt(po, mo, "--check", "--statistics")
                problems += [f"{po}: untranslated:\n{entry}" for entry in selected_entries(po, "--untranslated")]
                problems += [f"{po}: fuzzy:\n{entry}" for entry in selected_entries(po, "--only-fuzzy")]
                if checked.returncode != 0:
                    problems.append(f"{po}: msgfmt --check failed:\n{checked.stderr.strip()}")
                    continue
                counted.append(f"{po}: {checked.stderr.strip().splitlines()[-1]}")
                # msgattrib counts a plural as translated when its first form is; msgfmt keeps the others as they are.
                problems += [
                    f"{po}: untranslated plural form {index} of {msgid!r}"
                    for (msgid, index), text in sorted(
                        (key, text) for key, text in load_mo(mo).items() if isinstance(key, tuple)
                    )
                    if not text
                ]
    if problems:
        print(f"{len(problems)} translation problem(s) in {', '.join(langs)}:", file=sys.stderr)
        for problem in problems:
            print("  " + problem.replace("\n", "\n    "), file=sys.stderr)
        print("Translate them (and remove the fuzzy flags), then run `make messages`.", file=sys.stderr)
        return 1
    print("\n".join(counted))
    print(f"All messages translated in {', '.join(langs)}, none fuzzy.")
    return 0


def cmd_compiled(locale_dir: Path, langs: list[str]) -> int:
    problems = []
    found = require_catalogues(locale_dir, langs)
    with tempfile.TemporaryDirectory() as tmp:
        for paths in found.values():
            for po in paths:
                mo = po.with_suffix(".mo")
                if not mo.exists():
                    problems.append(f"{mo}: missing")
                    continue
                fresh = Path(tmp) / f"{po.parent.parent.name}-{po.stem}.mo"
                result = msgfmt(po, fresh)
                if result.returncode != 0:
                    problems.append(f"{po}: msgfmt failed:\n{result.stderr.strip()}")
                    continue
                try:
                    committed = load_mo(mo)
                except OSError as error:
                    problems.append(f"{mo}: unreadable ({error})")
                    continue
                expected = load_mo(fresh)
                if committed != expected:
                    keys = sorted(
                        (k for k in committed.keys() | expected.keys() if committed.get(k) != expected.get(k)),
                        key=repr,
                    )
                    sample = ", ".join(repr(k)[:40] for k in keys[:5])
                    problems.append(f"{mo}: out of date with {po.name} ({len(keys)} message(s) differ: {sample})")
                else:
                    print(f"{mo}: up to date")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("Run `make messages` and commit the .mo files.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["present", "complete", "compiled"])
    parser.add_argument("locale_dir", type=Path)
    parser.add_argument("--lang", action="append", required=True, help="a language code; repeat for more")
    args = parser.parse_args(argv)
    command = {"present": cmd_present, "complete": cmd_complete, "compiled": cmd_compiled}[args.command]
    return command(args.locale_dir, args.lang)


if __name__ == "__main__":
    sys.exit(main())
