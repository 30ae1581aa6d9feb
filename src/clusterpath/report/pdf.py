"""The report as a PDF with the same sections, figures drawn by matplotlib and laid out with fpdf2."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from clusterpath.report.content import Report, Table
from clusterpath.report.drawings import png

# matplotlib ships DejaVu: every character the report may hold (°, €, ², ...) has a glyph.
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.report_title}  ·  page {self.page_no()}", align="C")
        self.set_text_color(0)


def build(report: Report) -> bytes:
    pdf = _Document(report.title)
    pdf.set_title(report.title)
    pdf.set_creator("clusterpath")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 5, f"{report.subtitle}. Made on {report.created}.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 243, 205)
    for note in report.notes:
        pdf.multi_cell(0, 5, note, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255)  # tables fill their cells with the current colour
    for section in report.sections:
        # A section starts on a new page rather than with its heading apart from its first figure or table,
        # and on a landscape page when that is a wide table.
        orientation = "L" if not section.charts and section.tables and _wide(section.tables[0]) else "P"
        if orientation != pdf.cur_orientation.value or pdf.will_page_break(140 if section.charts else 60):
            pdf.add_page(orientation=orientation)
        pdf.ln(6)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)
        pdf.multi_cell(0, 4.5, section.text, new_x="LMARGIN", new_y="NEXT")
        for chart in section.charts:
            pdf.ln(2)
            pdf.image(io.BytesIO(png(chart)), w=pdf.epw)
        for table in section.tables:
            _table(pdf, table)
    return bytes(pdf.output())


def write(report: Report, path: Path) -> Path:
    path.write_bytes(build(report))
    return path


WIDE = 10  # columns above which a table is laid out on landscape pages


def _wide(table: Table) -> bool:
    return len(table.frame.columns) > WIDE


def _table(pdf: FPDF, table: Table) -> None:
    orientation = "L" if _wide(table) else "P"
    if orientation != pdf.cur_orientation.value:
        pdf.add_page(orientation=orientation)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 5, table.title, new_x="LMARGIN", new_y="NEXT")
    frame = table.frame
    pdf.set_font("DejaVu", size=6 if len(frame.columns) > 8 else 7 if len(frame.columns) > 6 else 8)
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    align = ["RIGHT" if n else "LEFT" for n in numeric]
    # Columns as wide as their longest cell or heading word (within limits): headings wrap, numbers do not.
    cells = table.cells()
    longest = [max([len(word) for word in str(c).split()] + [len(row[i]) for row in cells])
               for i, c in enumerate(frame.columns)]  # fmt: skip
    widths = [min(28, max(4, n)) + 2 for n in longest]  # + 2: the cells' padding
    heading = FontFace(emphasis="BOLD", fill_color=(241, 243, 245))
    with pdf.table(col_widths=widths, headings_style=heading, text_align=align, line_height=4,
                   first_row_as_headings=True, repeat_headings=1) as grid:  # fmt: skip
        header = grid.row()
        for column in frame.columns:
            header.cell(str(column))
        for texts in cells:
            row = grid.row()
            for text in texts:
                row.cell(text)
