"""Small files that would cost a reader far more than their size: the uploads of issue 14, item 5.

Built here rather than stored, so each is plain to read; benchmarks/upload_attacks.py sends the same files
to a running server to measure its memory.
"""

from __future__ import annotations

import io
import zipfile


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """YAML of about 500 bytes whose aliases expand to width**levels strings (9**9: 387 million)."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "name: laughs\n" + "\n".join(lines) + "\n"


def deep_json(depth: int = 100_000) -> str:
    return '{"name": ' + "[" * depth + "]" * depth + "}"


def deep_yaml(depth: int = 100_000) -> str:
    return "name: " + "[" * depth + "]" * depth + "\n"


def recursive_yaml() -> str:
    """An alias inside its own anchor: a list that contains itself."""
    return "name: &loop [a, *loop]\n"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# The sheets the reader requires, both the same part: the reader gets as far as reading rows.
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="cluster" sheetId="1" r:id="rId1"/><sheet name="members" sheetId="2" r:id="rId2"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _workbook(sheet: str, compresslevel: int | None = None) -> bytes:
    """A one-sheet .xlsx package around the worksheet XML ``sheet``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def cell_bomb(cells: int = 1_000_000, rows: int = 1) -> bytes:
    """An .xlsx whose one sheet holds ``cells`` numeric cells without addresses (``<c><v>1</v></c>``), spread
    over ``rows`` rows. Repetitive XML deflates about 500 to 1: a million cells fit in about 31 KiB."""
    per_row = cells // rows
    row = "<c><v>1</v></c>" * per_row
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')  # fmt: skip
    for number in range(1, rows + 1):
        sheet.write(f'<row r="{number}">{row}</row>')
    sheet.write("</sheetData></worksheet>")
    return _workbook(sheet.getvalue(), compresslevel=9)


def row_gap_bomb() -> bytes:
    """A sheet that declares A1:XFD1048576 and fills only its two far corners: a reader that pads rows to the
    declared size makes 17 billion empty cells of two."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:XFD1048576"/><sheetData>'
             '<row r="1"><c r="A1"><v>1</v></c></row>'
             '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
             "</sheetData></worksheet>")  # fmt: skip
    return _workbook(sheet)


def wide_dimension_bomb(rows: int = 40) -> bytes:
    """A sheet that declares the full width (A to XFD) over ``rows`` rows but fills one cell per row: few cells
    in the file, 16,384 per row for a reader that pads rows to the declared width."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, rows + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:XFD{rows}"/><sheetData>{body}</sheetData></worksheet>')  # fmt: skip
    return _workbook(sheet)


def many_parts(parts: int = 50_000) -> bytes:
    """A zip of ``parts`` empty files, about 4 MiB: every reader that looks at each part pays for each."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for number in range(parts):
            archive.writestr(f"x{number}", b"")
    return out.getvalue()
