"""The tests' shared report files (conftest.py): a PDF laid out earlier only for the same HTML; sharing set once."""

import subprocess

from reports import pdf


def _text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _write(tmp_path, name, body, compiled):
    html = f'<p>{body}</p><div class="snapshot-ref">Compiled {compiled}</div>'
    target = tmp_path / f"{name}.pdf"
    layout = pdf.HTML(string=html, base_url=str(tmp_path)).render()
    layout.write_pdf(target)
    return _text(target), len(layout.pages)


def test_the_same_report_compiled_again_is_laid_out_once_and_other_html_is_laid_out_anew(tmp_path):
    first, pages = _write(tmp_path, "first", "Layout cache check one", "10:01")
    again, _pages = _write(tmp_path, "again", "Layout cache check one", "10:02")
    other, _pages = _write(tmp_path, "other", "Layout cache check two", "10:02")
    assert pages == 1 and "Layout cache check one" in first and "Compiled 10:01" in first
    assert again == first  # the earlier layout, with its minute
    assert "Layout cache check two" in other and "Layout cache check one" not in other


def test_a_wider_fixture_sharing_inside_a_test_that_shares_wraps_the_docx_writer_once(report_files_shared):
    """Wrapped twice, the inner writer would wait on the lock the outer one holds for the same DOCX."""
    from reports import docx

    outer = docx._Writer
    assert getattr(outer, "shared", False)  # the control: this test shares its reports' files
    with report_files_shared():
        assert docx._Writer is outer
