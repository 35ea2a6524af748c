"""The pack's printer: one browser tab prints page after page as a new tab would print each one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pikepdf = pytest.importorskip("pikepdf")
pdf = pytest.importorskip("lscb_analysis.publish.pdf")


def _printer(out_dir: Path) -> pdf.PagePrinter:
    try:
        return pdf.PagePrinter(out_dir, force=True)
    except pdf.PdfUnavailableError as exc:
        pytest.skip(f"no PDF here: {exc}")


def _sheets(out_dir: Path, key: str) -> list[tuple[list[float], bytes]]:
    """Each sheet of a print: its size and what is drawn on it."""
    with pikepdf.open(io.BytesIO((out_dir / pdf.PAGE_CACHE / f"{key}.pdf").read_bytes())) as doc:
        return [([float(v) for v in sheet.mediabox], sheet.Contents.read_bytes()) for sheet in doc.pages]


def test_a_page_printed_after_another_in_the_same_tab_prints_as_it_does_alone(tmp_path):
    # the first page would leave its mark on the next if the tab kept anything: landscape sheets, a long
    # scrolled body, a style on the root element
    (tmp_path / "first.html").write_text(
        "<!DOCTYPE html><title>first</title><style>@page { size: A4 landscape; } html { font-size: 30px; }</style>"
        + "<p>first</p>" * 200
        + "<script>window.scrollTo(0, 5000); document.documentElement.style.zoom = 2;</script>"
    )
    (tmp_path / "second.html").write_text("<!DOCTYPE html><title>second</title><p>second</p>" * 30)
    alone_dir = tmp_path / "alone"
    alone_dir.mkdir()
    (alone_dir / "second.html").write_bytes((tmp_path / "second.html").read_bytes())
    with _printer(alone_dir) as alone:
        alone_key = alone.submit("second.html").result()
    with _printer(tmp_path) as printer:
        first_key = printer.submit("first.html").result()
        second_key = printer.submit("second.html").result()
    first, second = _sheets(tmp_path, first_key), _sheets(tmp_path, second_key)
    assert first[0][0][2] > first[0][0][3], "the first page printed landscape"
    assert second == _sheets(alone_dir, alone_key), "the second page printed as it does in a tab of its own"
    assert second[0][0][2] < second[0][0][3]


def test_a_page_that_fails_to_print_leaves_the_next_to_a_new_tab(tmp_path, monkeypatch):
    for name in ("bad", "good"):
        (tmp_path / f"{name}.html").write_text(f"<!DOCTYPE html><title>{name}</title><p>{name}</p>")
    real_print = pdf.print_page
    tabs = []

    def failing_once(page):
        tabs.append(page)
        if len(tabs) == 1:
            raise RuntimeError("the renderer went away")
        return real_print(page)

    monkeypatch.setattr(pdf, "print_page", failing_once)
    with _printer(tmp_path) as printer:
        bad, good = printer.submit("bad.html"), printer.submit("good.html")
        with pytest.raises(RuntimeError, match="the renderer went away"):
            bad.result()
        key = good.result()
    assert len(_sheets(tmp_path, key)) == 1 and key in printer.printed
    assert tabs[0] is not tabs[1] and tabs[0].is_closed(), "the failed page's tab was closed, the next had its own"
