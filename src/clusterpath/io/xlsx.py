"""Excel workbooks of a cluster: a documented template, and a reader giving YAML-shaped data.

``SHEETS`` is the one table spec both sides use, so the template, its README and the
reader cannot drift apart. A quantity column ``X`` is followed by its unit column
``X_unit``; the schema, not this module, converts and checks units.
"""

from __future__ import annotations

import difflib
import os
import tempfile
import zipfile
from xml.parsers import expat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from clusterpath.io.errors import InputError, Locate
from clusterpath import reference
from clusterpath.schema import units
from clusterpath.schema.models import CAPACITY_UNITS, Cluster, ProcessEmission, carriers
from clusterpath.schema.vocabulary import (
    LEVERS,
    ClusterKind,
    Equipment,
    Governance,
    PolicyKind,
    PolicyStatus,
    ProjectStage,
    RenewableType,
    Sector,
    Service,
    WasteKind,
    WasteTreatment,
    WastewaterTreatment,
)

# A workbook is a zip; a small file can inflate to gigabytes, so cap what openpyxl may unpack.
MAX_UNPACKED_BYTES = 200 * 2**20
# Parts openpyxl reads whole (shared strings, styles, the workbook) rather than streaming as it does sheets.
MAX_PART_BYTES = 8 * 2**20
# A cluster workbook has 14 sheets of at most a few thousand rows of 40 columns; these leave ample room and
# bound what a crafted file (a million cells in 31 KiB) costs to read.
MAX_SHEETS = 64
# Parts (files inside the zip): the template has about 60; each costs a look in the census.
MAX_PARTS = 1_000
MAX_ROWS = 100_000
MAX_ROW_CELLS = 16_384  # Excel's own column limit
MAX_CELLS = 500_000
# Excel refuses inline drop-down lists longer than this.
MAX_INLINE_LIST = 255
VALIDATED_ROWS = 2000


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    kind: str = "text"  # text, number, boolean or quantity
    dim: units.Dimension | None = None
    values: Callable[[], Sequence[str]] | None = None
    values_name: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, f"{self.name}_unit") if self.dim else (self.name,)

    def unit_text(self) -> str:
        if self.dim:
            return f"{self.dim.name} with a unit ({self.dim.examples}); the template writes {self.dim.internal}"
        if self.values:
            return f"one of the {self.values_name} listed below"
        return {"number": "a number", "boolean": "TRUE or FALSE"}.get(self.kind, "text")


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    # The cluster sheet lists fields as rows (field | value | unit | description).
    key_value: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        if self.key_value:
            return KEY_VALUE_HEADERS
        return tuple(h for c in self.columns for h in c.headers)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


KEY_VALUE_HEADERS = ("field", "value", "unit", "description")


def _vocab(enum) -> Callable[[], tuple[str, ...]]:
    return lambda: tuple(member.value for member in enum)


def _text(name, description, required=False, values=None, values_name=""):
    return Column(name, description, required, "text", values=values, values_name=values_name)


def _number(name, description, required=False):
    return Column(name, description, required, "number")


def _quantity(name, description, dim, required=False):
    return Column(name, description, required, "quantity", dim=dim)


def _boolean(name, description):
    return Column(name, description, False, "boolean")


_MEMBER_ID = _text("member_id", "id of the member (sheet members) this row belongs to", True)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "cluster",
        "The cluster as a whole: one row per field, its value in column 'value' and, for amounts, "
        "the unit in column 'unit'.",
        (
            _text("id", "short identifier: letters, digits, '_', '-' or '.', no spaces", True),
            _text("name", "full name of the cluster", True),
            _text("country", "ISO 3166-1 alpha-2 country code, e.g. BE, NL, US", True),
            _number("lat", "latitude of the cluster in degrees (-90 to 90)", True),
            _number("lon", "longitude of the cluster in degrees (-180 to 180)", True),
            _text("kind", "what kind of cluster it is", True, _vocab(ClusterKind), "cluster kinds"),
            _text("currency", "ISO 4217 code; all money is in this currency, real, base year", True),
            _number("base_year", "the year the energy and emissions data describe (1990-2100)", True),
            _number("discount_rate", "real discount rate as a share, 0.07 or '7 %'", True),
            _boolean("illustrative", "TRUE when the data are made up for illustration"),
            _text("description", "free text about the cluster"),
            _quantity("land_for_pv", "land available for ground-mounted solar PV", units.AREA),
            _quantity("geothermal", "geothermal heat that could be tapped, thermal capacity", units.POWER),
            _text("governance", "how the members organize their collaboration", False, _vocab(Governance),
                  "governance models"),
            _number("companies", "companies on the site, members or not (for the share engaged)"),
        ),
        key_value=True,
    ),
    Sheet(
        "grid",
        "The public grid by year; missing emission factors fall back to the country's default.",
        (
            _number("year", "calendar year, e.g. 2030", True),
            _number("electricity_price", "price of grid electricity, cluster currency per MWh"),
            _quantity("emission_factor", "location-based grid emission factor", units.EMISSION_FACTOR),
        ),
    ),
    Sheet(
        "renewables",
        "Renewable potential in or near the cluster: one row per type.",
        (
            _text("type", "kind of renewable", True, _vocab(RenewableType), "renewable types"),
            _quantity("potential", "installable capacity", units.POWER, True),
            _number("full_load_hours", "yearly output per MW at the site, hours (needed to plan this renewable)"),
            _quantity("distance_to_shore", "offshore wind: submarine cable to the landfall (needed to plan it)",
                      units.LENGTH, False),
            _quantity("landfall_distance", "offshore wind: underground cable from the landfall to the grid",
                      units.LENGTH, False),
        ),
    ),
    Sheet(
        "co2_storage",
        "Sites that could store the cluster's captured CO2: one row per site.",
        (
            _text("id", "short identifier of the site", True),
            _text("name", "name of the site", True),
            _text("setting", "where the reservoir lies (sets the storage cost class)", False,
                  lambda: ("onshore", "nearshore", "offshore"), "settings"),
            _quantity("distance", "pipeline or shipping distance from the cluster", units.LENGTH, True),
            _text("transport", "how the CO2 reaches the site (empty: pipeline)", False, lambda: ("pipeline", "ship"),
                  "transport modes"),
            _quantity("injection_capacity", "tonnes of CO2 the site can take per year", units.MASS, True),
            _quantity("storage_capacity", "total tonnes of CO2 the site can hold", units.MASS),
        ),
    ),
    Sheet(
        "members",
        "The companies of the cluster: one row per company.",
        (
            _text("id", "short identifier: letters, digits, '_', '-' or '.', no spaces or commas", True),
            _text("name", "company name", True),
            _text("sector", "the company's sector", True, _vocab(Sector), "sectors"),
            _number("value_added", "gross value added in the base year, cluster currency", True),
            _number("jobs", "direct employees", True),
            _number("lat", "latitude in degrees; leave empty to use the cluster's"),
            _number("lon", "longitude in degrees; leave empty to use the cluster's"),
            _number("flue_co2_concentration", "CO2 share of the combustion flue gas, 0.12 or '12 %' (sets the "
                    "capture class; empty: by sector)"),
        ),
    ),
    Sheet(
        "demands",
        "Energy services of each member in the base year and what serves them today: one row per "
        "service and carrier. Give useful_energy or final_energy, not both.",
        (
            _MEMBER_ID,
            _text("service", "what the energy is used for", True, _vocab(Service), "services"),
            _text("carrier", "the carrier bought or burnt", True, carriers, "carriers"),
            _text("equipment", "what converts the carrier; empty means direct", False, _vocab(Equipment), "equipment"),
            _number("efficiency", "share of the carrier delivered as the service, e.g. 0.9 (a heat pump's COP "
                    "may exceed 1); required unless equipment is direct"),
            _quantity("useful_energy", "energy of the service delivered per year", units.ENERGY),
            _quantity("final_energy", "energy of the carrier bought or burnt per year", units.ENERGY),
            _quantity("emission_factor", "only for purchased heat or steam: emissions per MWh delivered",
                      units.EMISSION_FACTOR),
            _boolean("sold", "TRUE when the service is a product sold outside the cluster (power to the grid, "
                     "steam or hydrogen to a customer), not used by the member"),
            _number("sale_price", "only when sold: price per MWh sold, cluster currency; one number, or prices "
                    "by year as '2024: 70; 2030: 60'"),
        ),
    ),
    Sheet(
        "process_emissions",
        "Emissions from processes rather than combustion (calcination, ammonia, ...): one row per source and gas.",
        (
            _MEMBER_ID,
            _text("source", "what emits, e.g. 'clinker calcination'", True),
            _text("gas", "the gas emitted; empty means co2", False,
                  lambda: get_args(ProcessEmission.model_fields["gas"].annotation), "gases"),
            _quantity("amount", "tonnes of the gas per year (for CO2, tCO2e is accepted too)", units.MASS, True),
            _boolean("biogenic", "TRUE when the carbon is biogenic"),
            _number("co2_concentration", "CO2 share of the stream, 0.99 or '99 %' (sets the capture class; empty: "
                    "by sector)"),
        ),
    ),
    Sheet(
        "waste",
        "Solid waste streams of each member: one row per kind and treatment.",
        (
            _MEMBER_ID,
            _text("kind", "kind of waste", True, _vocab(WasteKind), "waste kinds"),
            _quantity("amount", "tonnes per year", units.MASS, True),
            _text("treatment", "how the waste is treated today", True, _vocab(WasteTreatment), "waste treatments"),
        ),
    ),
    Sheet(
        "wastewater",
        "Wastewater streams of each member: one row per stream.",
        (
            _MEMBER_ID,
            _quantity("amount", "volume per year", units.VOLUME, True),
            _quantity("cod", "chemical oxygen demand load per year", units.MASS),
            _text("treatment", "how the wastewater is treated today", True, _vocab(WastewaterTreatment),
                  "wastewater treatments"),
            _number("methane_recovered", "share of the methane the treatment generates that is recovered (flared "
                    "or used) today, 0.5 or '50 %'; empty means none"),
        ),
    ),
    Sheet(
        "projects",
        "The cluster's project register: what is announced, studied, decided, built or running; one row per project.",
        (
            _text("id", "short identifier of the project", True),
            _text("name", "name of the project", True),
            _text("lever", "the pathway lever the project is an instance of", True, lambda: LEVERS, "levers"),
            _text("members", "ids of the members it serves (sheet members), separated by commas", True),
            _text("stage", "how far the project has come", True, _vocab(ProjectStage), "project stages"),
            _number("investment", "capital cost, cluster currency"),
            _number("committed", "capital committed by investors and funders so far, cluster currency; empty means 0"),
            _number("public_funding", "grants and public loans secured, part of committed, cluster currency; empty "
                    "means 0"),
            _number("operating_year", "first year of operation, actual or planned"),
            _quantity("abatement", "tCO2e a year it avoids once operating", units.MASS),
        ),
    ),
    Sheet(
        "policies",
        "Enabling policies the cluster has in place or planned: one row per policy.",
        (
            _text("name", "name of the policy", True),
            _text("kind", "what kind of policy it is", True, _vocab(PolicyKind), "policy kinds"),
            _text("status", "in place or planned; empty means in_place", False, _vocab(PolicyStatus),
                  "policy statuses"),
            _number("year", "year it took or takes effect"),
        ),
    ),
    Sheet(
        "employment_factors",
        "The cluster's own employment factors, used before the shipped ones (docs/workforce.md): one row per "
        "technology, each with its source.",
        (
            _text("technology", "a technology of the catalog", True, reference.technology_ids, "technologies"),
            _text("capacity_unit", "the unit the plan measures the technology's capacity in; empty means MW", False,
                  lambda: CAPACITY_UNITS, "capacity units"),
            _number("construction_job_years", "job-years to build one unit of capacity"),
            _number("operation_jobs", "jobs (fte) to run one unit of capacity"),
            _number("manufacturing_job_years", "job-years to make the equipment of one unit of capacity"),
            _text("source", "where the figures come from: publication, table, page", True),
        ),
    ),
)
SHEET = {sheet.name: sheet for sheet in SHEETS}
REQUIRED_SHEETS = ("cluster", "members")
MEMBER_LISTS = ("demands", "process_emissions", "waste", "wastewater")
# Cluster fields kept elsewhere in the nested description than at its top level.
CLUSTER_PATHS = {
    "lat": ("location", "lat"),
    "lon": ("location", "lon"),
    "land_for_pv": ("resources", "land_for_pv"),
    "geothermal": ("resources", "geothermal"),
}
# Sheets of cluster-wide lists, read into the cluster's field of the same name.
CLUSTER_LISTS = ("projects", "policies", "employment_factors")
MEMBER_SEPARATOR = ","


# ---------------------------------------------------------------- writing


def write_template(path: str | Path, cluster: Cluster | None = None) -> None:
    """An empty documented workbook, or one filled with ``cluster`` in internal units."""
    path = Path(path)
    workbook = Workbook()
    _write_readme(workbook.active)
    data = cluster.model_dump(mode="json") if cluster is not None else None
    for sheet in SHEETS:
        ws = workbook.create_sheet(sheet.name)
        _write_header(ws, sheet)
        rows = _cluster_rows(data) if sheet.key_value else _rows_of(sheet, data) if data else []
        for row in rows:
            ws.append(row)
        if sheet.key_value:
            ws.column_dimensions["D"].width = 80
        else:
            _add_drop_downs(ws, sheet)
    # Written beside the target and renamed, so a failure never leaves half a workbook.
    handle, temp = tempfile.mkstemp(suffix=".xlsx", prefix=f".{path.stem}-", dir=path.parent)
    os.close(handle)
    try:
        workbook.save(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_header(ws, sheet: Sheet) -> None:
    ws.append(list(sheet.headers))
    for index, header in enumerate(sheet.headers, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        column = sheet.column(header.removesuffix("_unit")) if not sheet.key_value else None
        if column:
            what = f"unit of {column.name}" if header.endswith("_unit") and column.dim else column.description
            cell.comment = Comment(f"{what}\n({column.unit_text()})", "clusterpath")
        ws.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    ws.freeze_panes = "A2"


def _add_drop_downs(ws, sheet: Sheet) -> None:
    for index, header in enumerate(sheet.headers, start=1):
        column = sheet.column(header)
        if not column or not column.values:
            continue
        listed = ",".join(column.values())
        if len(listed) > MAX_INLINE_LIST:
            continue
        # A warning, not a stop: the schema also accepts "Industrial park" for industrial_park.
        validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning")
        validation.error = f"not one of the {column.values_name} (see README)"
        ws.add_data_validation(validation)
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")


def _cluster_rows(data: dict | None) -> list[list]:
    rows = []
    for column in SHEET["cluster"].columns:
        value = _dig(data, CLUSTER_PATHS.get(column.name, (column.name,))) if data else None
        unit = column.dim.internal if column.dim else None
        rows.append([column.name, None if value == "" else value, unit, column.description])
    return rows


def _dig(data: Any, keys: tuple) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _rows_of(sheet: Sheet, data: dict) -> list[list]:
    if sheet.name == "grid":
        grid = data["grid"]
        prices = {int(y): v for y, v in (grid.get("electricity_price") or {}).items()}
        factors = {int(y): v for y, v in (grid.get("emission_factor") or {}).items()}
        items = [{"year": y, "electricity_price": prices.get(y), "emission_factor": factors.get(y)}
                 for y in sorted({*prices, *factors})]
    elif sheet.name in ("renewables", "co2_storage"):
        items = data["resources"][sheet.name]
    elif sheet.name == "members":
        items = [{**m, **(m.get("location") or {})} for m in data["members"]]
    elif sheet.name == "projects":
        items = [{**p, "members": f"{MEMBER_SEPARATOR} ".join(p["members"])} for p in data["projects"]]
    elif sheet.name in CLUSTER_LISTS:
        items = data[sheet.name]
    else:
        items = [{"member_id": m["id"], **item} for m in data["members"] for item in m[sheet.name]]
        if sheet.name == "demands":  # a price path fits one cell as text
            items = [{**item, "sale_price": "; ".join(f"{y}: {v:g}" for y, v in item["sale_price"].items())}
                     if isinstance(item.get("sale_price"), dict) else item for item in items]  # fmt: skip
    rows = []
    for item in items:
        row = []
        for column in sheet.columns:
            value = item.get(column.name)
            row.append(value)
            if column.dim:
                row.append(column.dim.internal if value is not None else None)
        rows.append(row)
    return rows


def _write_readme(ws) -> None:
    ws.title = "README"
    lines = [
        ("clusterpath cluster workbook",),
        ("Fill in one sheet per part of the cluster, one row per item below the bold header row; "
         "empty rows are skipped and sheets other than those listed here are ignored.",),
        ("Amounts: type the number in the column and its unit in the column next to it, ending in '_unit' "
         "(e.g. 1200 | GWh), or type the amount with its unit as text (e.g. '800 km') and leave the unit "
         "cell empty. Amounts are per year where that makes sense.",),
        ("Rows of demands, process_emissions, waste and wastewater belong to the member whose id is in "
         "their column member_id; a project lists the members it serves in its column members, ids separated by "
         "commas. Only the sheets cluster and members are required.",),
        (),
    ]
    for line in lines:
        ws.append(list(line))
    header_row = ws.max_row + 1
    ws.append(["sheet", "column", "required", "unit or allowed values", "description"])
    for sheet in SHEETS:
        ws.append([sheet.name, None, None, None, sheet.description])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for column in sheet.columns:
            what = column.description + (" (a row in column 'field')" if sheet.key_value else "")
            ws.append([sheet.name, column.name, "yes" if column.required else "no", column.unit_text(), what])
            if column.dim and not sheet.key_value:
                ws.append([sheet.name, f"{column.name}_unit", "with " + column.name, column.dim.examples,
                           f"unit of {column.name}"])
    ws.append([])
    ws.append(["allowed values", "list", None, "values (case and '-', '_' or space do not matter)"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    listed = {}
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.values and column.values_name not in listed:
                listed[column.values_name] = column.values
    for name, values in listed.items():
        ws.append([None, name, None, ", ".join(values())])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    for letter, width in zip("ABCDE", (18, 26, 12, 60, 80), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{header_row + 1}"


# ---------------------------------------------------------------- reading


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]


def read_workbook(path: str | Path) -> tuple[dict, Locate]:
    """The workbook as the plain nested data a YAML file would give, and where each field sits."""
    path = Path(path)
    name = str(path)
    workbook = _open(path)
    try:
        return _read(workbook, name)
    finally:
        workbook.close()


def _read(workbook, name: str) -> tuple[dict, Locate]:
    problems: list[str] = []
    sheets: dict[str, Any] = {}
    for ws in workbook.worksheets:
        key = ws.title.strip().lower()
        if key in SHEET:
            sheets[key] = ws
        elif key != "readme":
            close = difflib.get_close_matches(key, list(SHEET), n=1, cutoff=0.8)
            if close:
                problems.append(f"sheet '{ws.title}' is not read: did you mean '{close[0]}'?")
    for required in REQUIRED_SHEETS:
        if required not in sheets:
            problems.append(f"has no sheet '{required}' (sheets: {', '.join(workbook.sheetnames)}); "
                            "start from `clusterpath template`")
    if problems:
        raise InputError(name, problems)
    reader = _Reader(problems, name)
    data = reader.build({key: reader.rows(SHEET[key], ws) for key, ws in sheets.items()})
    if problems:
        raise InputError(name, problems)
    return data, reader.locate


def _open(path: Path):
    name = str(path)
    not_excel = "is not an Excel workbook (.xlsx): save it from Excel as 'Excel Workbook (*.xlsx)'"
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            parts = len(archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(name, [f"{not_excel} (is it an old .xls, a CSV or a password-protected file?)"]) from None
    if parts > MAX_PARTS:
        raise _too_large(name, f"holds {parts:,} parts (limit {MAX_PARTS:,})")
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(name, [f"unpacks to {unpacked / 2**20:.0f} MiB, too large for a cluster description"])
    census(path)
    try:
        # Read-only: sheets are streamed row by row instead of held as a cell object per cell.
        return load_workbook(path, read_only=True, data_only=True)
    # Anything openpyxl raises here is about the file's content (truncated, damaged, not a
    # spreadsheet), which the user must hear about as such rather than as a traceback.
    except Exception as error:  # noqa: BLE001
        raise InputError(name, [f"{not_excel}; it could not be read ({type(error).__name__}: {error})"]) from None


def _place(sheet: str, row: int | None = None, column: str | None = None) -> str:
    return ", ".join(
        [f"sheet '{sheet}'", *([f"row {row}"] if row else []), *([f"column '{column}'"] if column else [])]
    )


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _as_text(value: Any) -> Any:
    # Excel turns an id such as 101 into a number; the schema wants text.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _as_number(value: Any) -> Any:
    # Numbers typed into text-formatted cells; "1,5" stays text rather than becoming 15.
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _too_large(name: str, what: str) -> InputError:
    return InputError(name, [f"{what}: more than a cluster description needs and too costly to read; "
                             "keep only the template's sheets and your data, and delete stray rows and columns"])


def census(path: Path) -> None:
    """Count the sheets, rows and cells of every part of the workbook as a stream of XML events, before
    openpyxl reads them: its reader builds a whole row in memory, so one row of a million cells must be
    refused before it gets there. Parts read whole must stay small."""
    name = str(path)
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            counter = _PartCounter(name)
            with archive.open(info) as stream:
                counter.feed(stream)
            if not counter.sheet and info.file_size > MAX_PART_BYTES:
                raise _too_large(name, f"part '{info.filename[:100]}' unpacks to {info.file_size / 2**20:.0f} MiB "
                                       f"(limit {MAX_PART_BYTES / 2**20:.0f} MiB)")
            if counter.sheets > MAX_SHEETS:
                raise _too_large(name, f"has more than {MAX_SHEETS} sheets")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class _PartCounter:
    """Rows and cells of one part (zero unless it is a worksheet), and the sheets a workbook part lists."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sheet = False
        self.sheets = 0
        self.rows = 0
        self.cells = 0
        self.row_cells = 0

    def start(self, tag: str, attributes: dict) -> None:
        namespace, _, local = tag.rpartition("|")
        if namespace != _MAIN:
            return
        if local == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > MAX_ROW_CELLS:
                raise _too_large(self.name, f"a sheet has more than {MAX_ROW_CELLS:,} cells in one row")
            if self.cells > MAX_CELLS:
                raise _too_large(self.name, f"a sheet has more than {MAX_CELLS:,} cells")
        elif local == "row":
            self.rows += 1
            self.row_cells = 0
            # A row number far down makes readers fill every row above it.
            number = attributes.get("r", "")
            if self.rows > MAX_ROWS or (number.isdigit() and int(number) > MAX_ROWS):
                raise _too_large(self.name, f"a sheet has more than {MAX_ROWS:,} rows")
        elif local == "sheetData":
            self.sheet = True
        elif local == "sheet":
            self.sheets += 1

    def feed(self, stream) -> None:
        parser = expat.ParserCreate(namespace_separator="|")
        parser.StartElementHandler = self.start
        try:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            # Not XML (an image) or damaged XML: openpyxl says so when it matters.
            return


class _Reader:
    def __init__(self, problems: list[str], name: str = "workbook") -> None:
        self.problems = problems
        self.name = name
        self.cells = 0
        # Field path prefix -> (sheet, row, column) where it was read.
        self.places: dict[tuple, tuple[str, int | None, str | None]] = {}

    def rows(self, sheet: Sheet, ws) -> list[_Row]:
        grid = []
        # Rows come padded to the width (and past the last row to the height) the sheet declares: counted too.
        for row in ws.iter_rows(values_only=True):
            self.cells += len(row) or 1
            if self.cells > MAX_CELLS or len(grid) >= MAX_ROWS:
                raise _too_large(self.name, f"sheet '{sheet.name}' reads as more than {MAX_CELLS:,} cells "
                                            f"or {MAX_ROWS:,} rows")  # fmt: skip
            grid.append([_clean(v) for v in row])
        if not grid:
            return []
        headers = [str(h).strip().lower() if h is not None else None for h in grid[0]]
        known = set(sheet.headers)
        seen = set()
        for index, header in enumerate(headers, start=1):
            letter = get_column_letter(index)
            if header is None:
                filled = next((n for n, row in enumerate(grid[1:], start=2)
                               if index <= len(row) and row[index - 1] is not None), None)
                if filled:
                    self.problems.append(f"{_place(sheet.name, filled)}, column {letter}: has a value but the "
                                         "column has no header in row 1")
            elif header not in known:
                close = difflib.get_close_matches(header, sorted(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"expected columns: {', '.join(sheet.headers)}"
                self.problems.append(
                    f"{_place(sheet.name, 1)}, column {letter}: unknown column '{grid[0][index - 1]}'; {hint}"
                )
            elif header in seen:
                self.problems.append(f"{_place(sheet.name, 1)}, column {letter}: column '{header}' appears twice")
            seen.add(header)
        out = []
        units_only = {f"{c.name}_unit" for c in sheet.columns if c.dim} | {"unit", "description"}
        for number, row in enumerate(grid[1:], start=2):
            cells = {h: v for h, v in zip(headers, row) if h in known and v is not None}
            # Rows with only unit cells filled are skipped too: users copy units down a column.
            if any(h not in units_only for h in cells):
                out.append(_Row(number, cells))
        keys = ("field", "value") if sheet.key_value else ("member_id", "year", "id")
        for key in keys:
            if out and key in known and key not in seen:
                self.problems.append(f"{_place(sheet.name, 1)}: has no column '{key}'")
        return out

    def value(self, sheet: Sheet, column: Column, row: _Row, unit_header: str | None = None) -> Any:
        value = row.cells.get("value" if sheet.key_value else column.name)
        unit = row.cells.get(unit_header or f"{column.name}_unit")
        if value is None:
            return None
        if column.kind == "text":
            return _as_text(value)
        if column.kind == "number":
            return _as_number(value)
        if column.kind != "quantity":
            return value
        if isinstance(value, str) and unit is not None:
            number = _as_number(value)
            if isinstance(number, str):
                where = "value" if sheet.key_value else column.name
                self.problems.append(
                    f"{_place(sheet.name, row.number, where)}: '{value}' is text and a unit is given too; give a "
                    f"number with its unit in the unit column, or the amount as text ('12 {column.dim.internal}') "
                    "with the unit cell empty"
                )
                return None
            value = number
        if unit is None or isinstance(value, str):
            return value
        return {"value": value, "unit": str(unit)}

    def build(self, tables: dict[str, list[_Row]]) -> dict:
        data: dict[str, Any] = self._cluster(tables["cluster"])
        self.places[("resources",)] = ("cluster", None, None)
        grid = self._grid(tables.get("grid", []))
        if grid:
            data["grid"] = grid
        resources = data.setdefault("resources", {})
        for key in ("renewables", "co2_storage"):
            items = self._items(SHEET[key], tables.get(key, []), ("resources", key))
            if items:
                resources[key] = items
        if not resources:
            del data["resources"]
        data["members"] = self._members(tables["members"], tables)
        for key in CLUSTER_LISTS:
            items = self._items(SHEET[key], tables.get(key, []), (key,))
            if items:
                data[key] = items
        self._project_members(data, tables.get("projects", []))
        return data

    def _project_members(self, data: dict, rows: list[_Row]) -> None:
        """Each project's members as a list of ids, every id one of sheet members'."""
        known = [m.get("id") for m in data["members"]]
        for project, row in zip(data.get("projects", []), rows, strict=True):
            listed = project.get("members")
            if not isinstance(listed, str):
                continue
            ids = [part.strip() for part in listed.split(MEMBER_SEPARATOR) if part.strip()]
            for unknown in (i for i in ids if i not in known):
                close = difflib.get_close_matches(unknown, [str(k) for k in known], n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"members: {', '.join(map(str, known))}"
                self.problems.append(f"{_place('projects', row.number, 'members')}: '{unknown}' is not an id in "
                                     f"sheet 'members'; {hint}")
            project["members"] = ids

    def _cluster(self, rows: list[_Row]) -> dict:
        sheet = SHEET["cluster"]
        data: dict[str, Any] = {}
        found: dict[str, int] = {}
        for column in sheet.columns:
            self.places[CLUSTER_PATHS.get(column.name, (column.name,))] = ("cluster", None, None)
        for row in rows:
            field = row.cells.get("field")
            key = str(_as_text(field)).strip().lower() if field is not None else None
            column = sheet.column(key) if key else None
            if column is None:
                close = difflib.get_close_matches(str(key), [c.name for c in sheet.columns], n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"fields: {', '.join(c.name for c in sheet.columns)}"
                what = f"unknown field '{field}'" if field is not None else "a value without a field name"
                self.problems.append(f"{_place('cluster', row.number, 'field')}: {what}; {hint}")
                continue
            if key in found:
                self.problems.append(f"{_place('cluster', row.number, 'field')}: field '{key}' is given again "
                                     f"(first in row {found[key]})")
                continue
            found[key] = row.number
            if row.cells.get("unit") is not None and not column.dim:
                self.problems.append(f"{_place('cluster', row.number, 'unit')}: field '{key}' takes no unit; "
                                     f"give it in column 'value' as {column.unit_text()}")
                continue
            loc = CLUSTER_PATHS.get(key, (key,))
            self.places[loc] = ("cluster", row.number, "value")
            if key == "lat":
                self.places[("location",)] = ("cluster", row.number, "value")
            value = self.value(sheet, column, row, "unit")
            if value is not None:
                node = data
                for part in loc[:-1]:
                    node = node.setdefault(part, {})
                node[loc[-1]] = value
        return data

    def _grid(self, rows: list[_Row]) -> dict:
        sheet = SHEET["grid"]
        grid: dict[str, dict] = {}
        seen: dict[int, int] = {}
        for row in rows:
            raw = row.cells.get("year")
            year = _as_number(raw)
            if isinstance(year, float) and year.is_integer():
                year = int(year)
            if not isinstance(year, int) or isinstance(year, bool):
                what = "is empty" if raw is None else f"'{raw}' is not a year"
                self.problems.append(f"{_place('grid', row.number, 'year')}: {what}; give a year such as 2030")
                continue
            if year in seen:
                self.problems.append(f"{_place('grid', row.number, 'year')}: year {year} is given again "
                                     f"(first in row {seen[year]})")
                continue
            seen[year] = row.number
            for column in sheet.columns[1:]:
                self.places[("grid", column.name, year)] = ("grid", row.number, column.name)
                value = self.value(sheet, column, row)
                if value is not None:
                    grid.setdefault(column.name, {})[year] = value
        for column in sheet.columns[1:]:
            self.places[("grid", column.name)] = ("grid", None, column.name)
        self.places[("grid",)] = ("grid", None, None)
        return grid

    def _items(self, sheet: Sheet, rows: list[_Row], prefix: tuple) -> list[dict]:
        self.places[prefix] = (sheet.name, None, None)
        items = []
        for row in rows:
            self.places[(*prefix, len(items))] = (sheet.name, row.number, None)
            item = {}
            for column in sheet.columns:
                if column.name != "member_id":
                    value = self.value(sheet, column, row)
                    if value is not None:
                        item[column.name] = value
            items.append(item)
        return items

    def _members(self, rows: list[_Row], tables: dict[str, list[_Row]]) -> list[dict]:
        if not rows:
            self.problems.append(f"{_place('members', 2)}: the sheet has no members; add one row per company")
            return []
        members = self._items(SHEET["members"], rows, ("members",))
        index: dict[str, int] = {}
        for position, (member, row) in enumerate(zip(members, rows, strict=True)):
            if "lat" in member or "lon" in member:
                member["location"] = {k: member.pop(k) for k in ("lat", "lon") if k in member}
            key = member.get("id")
            if isinstance(key, str):
                if key in index:
                    self.problems.append(f"{_place('members', row.number, 'id')}: member id '{key}' is given again "
                                         f"(first in row {rows[index[key]].number})")
                else:
                    index[key] = position
        for list_name in MEMBER_LISTS:
            sheet = SHEET[list_name]
            grouped: dict[int, list[_Row]] = {}
            for row in tables.get(list_name, []):
                raw = row.cells.get("member_id")
                key = _as_text(raw)
                if key not in index:
                    close = difflib.get_close_matches(str(key), list(index), n=1)
                    hint = f"did you mean '{close[0]}'?" if close else f"members: {', '.join(index)}"
                    what = "is empty" if raw is None else f"'{raw}' is not an id in sheet 'members'"
                    self.problems.append(f"{_place(list_name, row.number, 'member_id')}: {what}; {hint}")
                    continue
                grouped.setdefault(index[key], []).append(row)
            for position, member_rows in grouped.items():
                members[position][list_name] = self._items(sheet, member_rows, ("members", position, list_name))
        return members

    def locate(self, loc: tuple) -> str | None:
        for end in range(len(loc), -1, -1):
            place = self.places.get(tuple(loc[:end]))
            if place is None:
                continue
            sheet, row, column = place
            if column is None:
                names = SHEET[sheet].headers
                column = next((k for k in loc[end:] if isinstance(k, str) and k in names), None)
            return _place(sheet, row, column)
        return None
