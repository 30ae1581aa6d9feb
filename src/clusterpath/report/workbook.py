"""The report's tables as an Excel workbook: a contents sheet, then each table on its own sheet, units in headers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from clusterpath.report.content import Report

HEADER = PatternFill("solid", fgColor="F1F3F5")
INVALID = '[]:*?/\\'


def build(report: Report) -> Workbook:
    book = Workbook()
    contents = book.active
    contents.title = "contents"
    contents.append([report.title])
    contents["A1"].font = Font(bold=True, size=14)
    contents.append([report.subtitle])
    for note in report.notes:
        contents.append([note])
    contents.append([])
    contents.append(["sheet", "section", "table"])
    for cell in contents[contents.max_row]:
        cell.font = Font(bold=True)
    names: set[str] = set()
    for section in report.sections:
        for table in section.tables:
            name = _sheet_name(table.name, names)
            contents.append([name, section.title, table.title])
            contents.cell(contents.max_row, 1).hyperlink = f"#'{name}'!A1"
            _write_sheet(book.create_sheet(name), table.frame)
    contents.column_dimensions["A"].width = 28
    contents.column_dimensions["B"].width = 40
    return book


def write(report: Report, path: Path) -> Path:
    build(report).save(path)
    return path


def _sheet_name(name: str, taken: set[str]) -> str:
    base = "".join("-" if ch in INVALID else ch for ch in name)[:31]
    out, n = base, 2
    while out.lower() in taken:
        out = f"{base[:28]} {n}"
        n += 1
    taken.add(out.lower())
    return out


def _write_sheet(sheet, frame) -> None:
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:, i - 1].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))


def _cell(value):
    """Numbers stay numbers (Excel can sum them); missing numbers are empty cells."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
