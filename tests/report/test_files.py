"""The three files a reader gets: the workbook's sheets and values, the HTML and the PDF rendered to pixels."""

from __future__ import annotations

import io
import re
import tempfile

import numpy as np
import pytest
from openpyxl import load_workbook
from PIL import Image

from helpers.browser import ARGS, CHROMIUM, need_browser

from clusterpath.report import content


def ink(image: Image.Image) -> tuple[float, float]:
    """Shares of the pixels that are not background white, and that are coloured (the charts' fills, not text)."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return float((pixels < 235).any(axis=2).mean()), float((pixels.max(axis=2) - pixels.min(axis=2) > 40).mean())


def not_blank(image: Image.Image) -> None:
    inked, coloured = ink(image)
    assert inked > 0.03, f"only {inked:.1%} of the pixels are not white"
    assert coloured > 0.005, f"only {coloured:.2%} of the pixels are coloured: the figures are missing"


def test_workbook_has_every_table_with_units_and_values(solved, written):
    book = load_workbook(written["xlsx"])
    assert book.sheetnames[0] == "contents"
    for name in ("key figures", "baseline members", "waterfall", "pathway by member", "pathway by scope", "macc",
                 "costs", "investment", "capacity", "allocation", "scorecard", "indicators", "workforce by phase",
                 "critical path"):  # fmt: skip
        assert name in book.sheetnames, name
    steps = {row[0]: row[1] for row in book["waterfall"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["waterfall"][1]] == ["step", "tCO2e/yr"]
    last = solved.result.periods[-1]
    assert steps["residual"] == pytest.approx(float(solved.result.emissions_by("node")[last].sum()))
    assert steps["baseline"] == pytest.approx(float(solved.result.baseline_emissions[last]))
    header = [c.value for c in book["allocation"][1]]
    assert header[:3] == ["member", "allocated, million EUR", "stand-alone, million EUR"]
    shares = {row[0]: row[1] for row in book["allocation"].iter_rows(min_row=2, values_only=True)}
    assert shares == pytest.approx({m: v / 1e6 for m, v in solved.allocation["allocation"].items()})
    members = {row[0]: row for row in book["pathway by member"].iter_rows(min_row=2, values_only=True)}
    assert members["chem"][1:] == pytest.approx(list(solved.result.member_emissions().loc["chem"]))
    # Every column of every table is named with its unit or is a label; numbers stay numbers.
    assert all(isinstance(v, float | int) for v in shares.values())


def test_html_is_self_contained_and_renders(report, written):
    need_browser("the report's browser test")
    from playwright.sync_api import sync_playwright

    page_html = written["html"].read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", page_html)
    foreign: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clusterpath-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, viewport={"width": 1200, "height": 1600},
            args=ARGS)
        try:
            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(written["html"].as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            plots = page.locator(".js-plotly-plot").count()
            shot = page.screenshot(full_page=True)
        finally:
            context.close()
    assert foreign == [] and errors == []
    assert plots == len(report.charts()) >= 7  # waterfall, two pathway areas, MACC, allocation, radar, jobs
    not_blank(Image.open(io.BytesIO(shot)))


def test_pdf_renders_every_page(written):
    import pypdfium2

    document = pypdfium2.PdfDocument(written["pdf"])
    try:
        assert len(document) >= 3
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        for section in ("Key figures", "Abatement by lever family", "Marginal abatement cost curve", "Who pays what",
                        "Four-pillar scorecard", "Workforce", "the critical path"):
            assert section in text
        pages = [document[i].render(scale=1).to_pil() for i in range(len(document))]
    finally:
        document.close()
    assert all(ink(page)[0] > 0.005 for page in pages), "a page is blank"
    not_blank(max(pages, key=lambda page: ink(page)[1]))  # the page with the most of a figure on it


def test_tables_have_no_unnamed_columns(report):
    for table in report.tables():
        assert all(isinstance(c, str) and c for c in table.frame.columns), table.name
    assert content.format_value(report.tables()[0].frame["value"].iloc[0]) == "2"  # two members


def test_a_blank_page_is_caught():
    with pytest.raises(AssertionError, match="not white"):
        not_blank(Image.new("RGB", (200, 200), "white"))
