"""Checks of the committed translation catalogues under locale/, for CI.

    check_translations.py present  LOCALE_DIR --lang kk --lang ru --lang en
        every language has at least one .po file ("no catalogue found" otherwise)
    check_translations.py complete LOCALE_DIR --lang kk --lang ru
        no entry is left untranslated (empty msgstr or any empty msgstr[n]) or marked fuzzy
    check_translations.py compiled LOCALE_DIR --lang kk --lang ru --lang en
        each .po has its .mo beside it, and that .mo holds exactly what msgfmt makes of the .po now

The .mo comparison loads both files with Python's gettext and compares the catalogues rather
than the bytes, so a .mo compiled by another gettext version still counts as up to date.
Standard library only, so it runs before or without the project's virtualenv.
"""

import argparse
import gettext
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@dataclass
class Entry:
    """One message of a .po file; msgstr maps the plural index (0 for a singular) to its text."""

    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def unquote(text: str, where: str) -> str:
    """The value of one C-style quoted .po string, such as "a\\"b\\n"."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    out, chars, i = [], text[1:-1], 0
    while i < len(chars):
        if chars[i] == "\\" and i + 1 < len(chars):
            out.append(ESCAPES.get(chars[i + 1], chars[i + 1]))
            i += 2
        else:
            out.append(chars[i])
            i += 1
    return "".join(out)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, including the header, with multi-line and plural strings joined."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the keyword that continuation lines extend

    def start(lineno: int) -> Entry:
        nonlocal entry
        entry = Entry(line=lineno)
        entries.append(entry)
        return entry

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{lineno}"
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith(("#", "|")):
                continue
        elif line.startswith("#"):
            # A comment opens a new entry unless it comes before this entry's msgid.
            if entry is None or target is not None:
                start(lineno)
                target = None
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{where}: a continuation line outside any string")
            keyword, index = target
            value = unquote(line, where)
            if keyword == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, keyword, getattr(entry, keyword) + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (entry is None or (target is not None and target[0] != "msgctxt")):
            start(lineno)
        if entry is None:
            raise ValueError(f"{where}: {keyword} outside any entry")
        entry.obsolete = entry.obsolete or obsolete
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, unquote(rest, where))
            target = (keyword, 0)
        elif keyword == "msgstr":
            entry.msgstr[0] = unquote(rest, where)
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[len("msgstr[") : -1])
            entry.msgstr[index] = unquote(rest, where)
            target = ("msgstr", index)
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
    return [e for e in entries if e.msgid or e.msgstr or e.msgctxt is not None]


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


def short(text: str, width: int = 70) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_present(locale_dir: Path, langs: list[str]) -> int:
    for lang, paths in require_catalogues(locale_dir, langs).items():
        print(f"{lang}: " + ", ".join(str(p) for p in paths))
    return 0


def cmd_complete(locale_dir: Path, langs: list[str]) -> int:
    problems = []
    counted = 0
    for paths in require_catalogues(locale_dir, langs).values():
        for path in paths:
            for entry in parse_po(path):
                if entry.is_header or entry.obsolete:
                    continue
                counted += 1
                context = f" (context {entry.msgctxt!r})" if entry.msgctxt is not None else ""
                if "fuzzy" in entry.flags:
                    problems.append(f"{path}:{entry.line}: fuzzy: {short(entry.msgid)!r}{context}")
                empty = [i for i, text in sorted(entry.msgstr.items()) if not text]
                if not entry.msgstr or empty:
                    forms = f" msgstr{empty}" if entry.msgid_plural is not None else ""
                    problems.append(f"{path}:{entry.line}: untranslated{forms}: {short(entry.msgid)!r}{context}")
    if problems:
        print(f"{len(problems)} translation problem(s) in {', '.join(langs)}:", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        print("Translate them (and remove the fuzzy flags), then run `make messages`.", file=sys.stderr)
        return 1
    print(f"{counted} messages translated in {', '.join(langs)}, none fuzzy.")
    return 0


def load_mo(path: Path) -> dict:
    with path.open("rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


def cmd_compiled(locale_dir: Path, langs: list[str]) -> int:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        print("msgfmt not found: install GNU gettext (apt-get install gettext).", file=sys.stderr)
        return 1
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
                # The same call as Django's compilemessages.
                result = subprocess.run(
                    [msgfmt, "--check-format", "-o", str(fresh), str(po)], check=False, capture_output=True, text=True
                )
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
                    sample = ", ".join(short(repr(k), 40) for k in keys[:5])
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
    try:
        return command(args.locale_dir, args.lang)
    except ValueError as error:
        print(f"cannot parse: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
