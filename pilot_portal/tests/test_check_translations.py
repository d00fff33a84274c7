"""`.ci/check_translations.py complete` fails on an untranslated or fuzzy entry of a copy of a catalogue."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "check_translations.py"
KK = ROOT / "locale" / "kk" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="GNU gettext is not installed")


@pytest.fixture
def catalogue(tmp_path):
    """A copy of the Kazakh catalogue in a locale folder of its own; returns (locale dir, .po path)."""
    po = tmp_path / "locale" / "kk" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(KK, po)
    return tmp_path / "locale", po


def complete(locale_dir):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "complete", str(locale_dir), "--lang", "kk"],
        check=False,
        capture_output=True,
        text=True,
    )


def replace_once(po, old, new):
    text = po.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    po.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_complete_copy_passes(catalogue):
    locale_dir, _po = catalogue
    result = complete(locale_dir)
    assert result.returncode == 0, result.stderr
    assert "none fuzzy" in result.stdout


def test_an_untranslated_entry_fails(catalogue):
    locale_dir, po = catalogue
    assert complete(locale_dir).returncode == 0  # the copy passes before the change
    text = po.read_text(encoding="utf-8")
    start = text.index('msgid "Outbox"')
    end = text.index("\n\n", start)
    po.write_text(text[:start] + 'msgid "Outbox"\nmsgstr ""' + text[end:], encoding="utf-8")
    result = complete(locale_dir)
    assert result.returncode == 1
    assert "untranslated" in result.stderr and 'msgid "Outbox"' in result.stderr


def test_an_empty_plural_form_fails(catalogue):
    """msgattrib counts a plural as translated when its first form is; the script looks at every form."""
    locale_dir, po = catalogue
    plural = 'msgid "one page"\nmsgid_plural "pages"\nmsgstr[0] "бет"\nmsgstr[1] "{}"\n'
    with po.open("a", encoding="utf-8") as out:
        out.write("\n" + plural.format("беттер"))
    assert complete(locale_dir).returncode == 0  # the copy with the plural passes before the change
    replace_once(po, plural.format("беттер"), plural.format(""))
    result = complete(locale_dir)
    assert result.returncode == 1
    assert "untranslated plural form 1 of 'one page'" in result.stderr


def test_a_fuzzy_entry_fails(catalogue):
    locale_dir, po = catalogue
    assert complete(locale_dir).returncode == 0
    replace_once(po, 'msgid "Outbox"\n', '#, fuzzy\nmsgid "Outbox"\n')
    result = complete(locale_dir)
    assert result.returncode == 1
    assert "fuzzy" in result.stderr and 'msgid "Outbox"' in result.stderr


def test_a_broken_format_fails(catalogue):
    locale_dir, po = catalogue
    assert complete(locale_dir).returncode == 0
    replace_once(po, 'msgstr[0] "жабылуына %(days)d күн қалды"', 'msgstr[0] "жабылуына %(days)s күн қалды"')
    result = complete(locale_dir)
    assert result.returncode == 1
    assert "msgfmt --check failed" in result.stderr
