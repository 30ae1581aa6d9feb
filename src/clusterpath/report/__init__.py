"""Reports people read: one cluster's or a portfolio's results as HTML, an Excel workbook and a PDF.

``content`` says what a report holds (sections of tables and charts), ``cluster`` and ``portfolio``
fill it from result objects, and ``html``, ``workbook`` and ``pdf`` present the same sections.
"""

from __future__ import annotations

from pathlib import Path

from clusterpath.report.content import Report

FILES = {"html": "report.html", "xlsx": "report.xlsx", "pdf": "report.pdf"}


def write_report(report: Report, folder: Path) -> dict[str, Path]:
    """Write the three files into ``folder``; each appears whole or not at all."""
    from clusterpath.report import html, pdf, workbook

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, writer in (("html", html.write), ("xlsx", workbook.write), ("pdf", pdf.write)):
        target = folder / FILES[kind]
        partial = target.with_name(f".{target.name}.partial")
        try:
            writer(report, partial)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        written[kind] = target
    return written
