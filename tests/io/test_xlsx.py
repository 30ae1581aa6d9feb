import copy
from pathlib import Path

import openpyxl
import pytest

from clusterpath.io import InputError, load_cluster
from clusterpath.io.xlsx import SHEETS, write_template
from clusterpath.schema import Cluster
from clusterpath.schema.models import Member

EXPECTED_SHEETS = [
    "README", "cluster", "grid", "renewables", "co2_storage", "members",
    "demands", "process_emissions", "waste", "wastewater", "projects", "policies", "employment_factors",
]

CLUSTER = {
    "id": "xl",
    "name": "Workbook cluster",
    "country": "NL",
    "location": {"lat": 51.9, "lon": 4.1},
    "kind": "port",
    "currency": "EUR",
    "base_year": 2023,
    "discount_rate": "6 %",
    "illustrative": True,
    "description": "made up for the workbook test",
    "governance": "joint venture",
    "companies": 12,
    "resources": {
        "land_for_pv": "120 ha",
        "geothermal": "15 MW",
        "renewables": [{"type": "offshore_wind", "potential": "0.5 GW"}],
        "co2_storage": [
            {"id": "porthos", "name": "Porthos", "distance": "25 km", "injection_capacity": "2.5 Mt",
             "storage_capacity": "37 Mt"},
        ],
    },
    "grid": {
        "electricity_price": {2023: 95, 2030: 70.5},
        "emission_factor": {2023: "0.3 tCO2e/MWh", 2030: "120 kgCO2e/MWh"},
    },
    "members": [
        {
            "id": "chem",
            "name": "Chemicals Co",
            "sector": "chemicals",
            "value_added": 2.0e8,
            "jobs": 400,
            "demands": [
                {"service": "electricity", "carrier": "electricity", "final_energy": "12 GWh"},
                {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                 "useful_energy": "90 GWh"},
                {"service": "heat_low", "carrier": "steam", "final_energy": "3 TJ",
                 "emission_factor": "0.25 tCO2e/MWh"},
            ],
            "process_emissions": [
                {"source": "nitric acid", "gas": "n2o", "amount": "2 t"},
                {"source": "fermentation", "amount": "1500 t", "biogenic": True},
            ],
            "waste": [{"kind": "plastic", "amount": "300 t", "treatment": "incineration"}],
            "wastewater": [{"amount": "1.2e5 m3", "cod": "40 t", "treatment": "aerobic"}],
        },
        {
            "id": "101",
            "name": "Cement Co",
            "sector": "cement",
            "value_added": 5.0e7,
            "jobs": 120,
            "location": {"lat": 52.0, "lon": 4.3},
            "demands": [
                {"service": "heat_high", "carrier": "coal_bituminous", "equipment": "kiln", "efficiency": 0.7,
                 "final_energy": "500 GWh"},
            ],
            "process_emissions": [{"source": "clinker calcination", "amount": "250 ktCO2e"}],
        },
    ],
    "projects": [
        {"id": "ccs", "name": "Shared capture and pipeline", "lever": "carbon_capture", "members": ["chem", "101"],
         "stage": "final_investment_decision", "investment": 4.0e8, "committed": 3.0e8, "public_funding": 1.0e8,
         "operating_year": 2029, "abatement": "0.4 Mt"},
        {"id": "hp", "name": "Heat pump", "lever": "heat_pump", "members": ["chem"], "stage": "announced"},
    ],
    "policies": [
        {"name": "EU ETS", "kind": "carbon_price", "year": 2005},
        {"name": "Storage licensing", "kind": "ccs_regulation", "status": "planned"},
    ],
    "employment_factors": [
        {"technology": "electric_boiler_steam", "operation_jobs": 0.05, "source": "operator's staffing plan"},
        {"technology": "cement_capture_retrofit", "capacity_unit": "tCO2/h", "construction_job_years": 12.5,
         "source": "EPC contractor's estimate"},
    ],
}


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.model_validate(CLUSTER)


def sheet_rows(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))


def edit(path: Path, sheet: str, cell: str, value) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)


def column_letter(path: Path, sheet: str, header: str) -> str:
    headers = sheet_rows(path, sheet)[0]
    return openpyxl.utils.get_column_letter(headers.index(header) + 1)


def test_template_has_every_sheet_and_readme_lists_every_column(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == EXPECTED_SHEETS
    readme = {(row[0], row[1]) for row in sheet_rows(path, "README")}
    for sheet in SHEETS:
        assert sheet_rows(path, sheet.name)[0] == sheet.headers
        assert workbook[sheet.name].freeze_panes == "A2"
        assert workbook[sheet.name]["A1"].font.bold
        names = [c.name for c in sheet.columns] if sheet.key_value else sheet.headers
        for name in names:
            assert (sheet.name, name) in readme, f"README misses {sheet.name}.{name}"
    text = " ".join(str(v) for row in sheet_rows(path, "README") for v in row if v)
    for word in ("natural_gas", "electricity", "heat_pump", "offshore_wind", "anaerobic_digestion", "n2o"):
        assert word in text


def test_spec_requires_what_the_schema_requires():
    from clusterpath.schema import CO2StorageSite, RenewablePotential, WasteStream, WastewaterStream
    from clusterpath.schema.models import Demand, EmploymentFactor, EnablingPolicy, ProcessEmission, Project

    models = {
        "cluster": Cluster, "members": Member, "demands": Demand, "process_emissions": ProcessEmission,
        "waste": WasteStream, "wastewater": WastewaterStream, "renewables": RenewablePotential,
        "co2_storage": CO2StorageSite, "projects": Project, "policies": EnablingPolicy,
        "employment_factors": EmploymentFactor,
    }
    for sheet in SHEETS:
        fields = models[sheet.name].model_fields if sheet.name in models else {}
        for column in sheet.columns:
            if column.name in fields:
                assert column.required == fields[column.name].is_required(), (sheet.name, column.name)


def test_a_sale_price_path_round_trips_through_one_cell(tmp_path):
    data = copy.deepcopy(CLUSTER)
    data["members"][0]["demands"].append({"service": "electricity", "carrier": "natural_gas", "equipment": "other",
                                          "efficiency": 0.5, "final_energy": "100 MWh", "sold": True,
                                          "sale_price": {2024: 70.2, 2030: 60}})  # fmt: skip
    sold = Cluster.model_validate(data)
    path = tmp_path / "sold.xlsx"
    write_template(path, sold)
    assert any("2024: 70.2; 2030: 60" in row for row in sheet_rows(path, "demands"))
    assert load_cluster(path).model_dump() == sold.model_dump()


def test_empty_template_says_there_are_no_members(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_template(path)
    with pytest.raises(InputError, match="sheet 'members'.*no members"):
        load_cluster(path)


def test_filled_workbook_round_trips(tmp_path, cluster):
    path = tmp_path / "filled.xlsx"
    write_template(path, cluster)
    assert load_cluster(path).model_dump() == cluster.model_dump()
    demands = sheet_rows(path, "demands")
    assert demands[0][:3] == ("member_id", "service", "carrier")
    assert len(demands) == 5 and demands[2][-8:-6] == (90000, "MWh")  # before emission_factor, sold, sale_price


def test_text_amounts_numbers_as_text_and_blank_rows_are_read(tmp_path, cluster):
    path = tmp_path / "mixed.xlsx"
    write_template(path, cluster)
    columns = {name: column_letter(path, "co2_storage", name) for name in
               ("distance", "distance_unit", "injection_capacity", "injection_capacity_unit")}
    workbook = openpyxl.load_workbook(path)
    storage = workbook["co2_storage"]
    storage[columns["distance"] + "2"], storage[columns["distance_unit"] + "2"] = "25000 m", None
    # A number typed into a text cell, its unit beside it.
    storage[columns["injection_capacity"] + "2"], storage[columns["injection_capacity_unit"] + "2"] = "2.5", "Mt"
    # Excel turns an id typed as 101 into a number.
    workbook["members"]["A3"] = workbook["demands"]["A5"] = workbook["process_emissions"]["A4"] = 101
    workbook["members"].insert_rows(3, 2)  # blank rows between members
    workbook.save(path)
    assert load_cluster(path).model_dump() == cluster.model_dump()


def test_unknown_unit_names_sheet_row_and_column(tmp_path, cluster):
    path = tmp_path / "unit.xlsx"
    write_template(path, cluster)
    edit(path, "demands", column_letter(path, "demands", "useful_energy_unit") + "3", "foo")
    with pytest.raises(InputError) as caught:
        load_cluster(path)
    message = str(caught.value)
    assert "sheet 'demands', row 3, column 'useful_energy'" in message
    assert "unknown unit 'foo'" in message


def test_number_without_unit_is_reported(tmp_path, cluster):
    path = tmp_path / "nounit.xlsx"
    write_template(path, cluster)
    edit(path, "waste", column_letter(path, "waste", "amount_unit") + "2", None)
    with pytest.raises(InputError, match=r"sheet 'waste', row 2, column 'amount'.*has no unit"):
        load_cluster(path)


def test_member_id_not_in_members(tmp_path, cluster):
    path = tmp_path / "member.xlsx"
    write_template(path, cluster)
    edit(path, "waste", "A2", "chemm")
    with pytest.raises(InputError) as caught:
        load_cluster(path)
    message = str(caught.value)
    assert "sheet 'waste', row 2, column 'member_id'" in message
    assert "'chemm' is not an id in sheet 'members'" in message and "did you mean 'chem'" in message


def test_boiler_efficiency_above_one(tmp_path, cluster):
    path = tmp_path / "efficiency.xlsx"
    write_template(path, cluster)
    edit(path, "demands", column_letter(path, "demands", "efficiency") + "3", 1.5)
    with pytest.raises(InputError) as caught:
        load_cluster(path)
    message = str(caught.value)
    # The schema checks efficiency against equipment on the whole row, so the row is all it can name.
    assert "sheet 'demands', row 3" in message and "efficiency 1.5 is above 1" in message


def test_cluster_field_and_member_location_are_located(tmp_path, cluster):
    path = tmp_path / "fields.xlsx"
    write_template(path, cluster)
    workbook = openpyxl.load_workbook(path)
    workbook["cluster"]["B4"] = "Atlantis"  # country
    workbook["members"][column_letter(path, "members", "lat") + "3"] = 95
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        load_cluster(path)
    message = str(caught.value)
    assert "sheet 'cluster', row 4, column 'value'" in message and "unknown country 'Atlantis'" in message
    assert "sheet 'members', row 3, column 'lat'" in message


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "expected"),
    [
        ("grid", "A3", "soon", r"sheet 'grid', row 3, column 'year': 'soon' is not a year"),
        ("demands", "Z1", "colour", r"sheet 'demands', row 1, column Z: unknown column 'colour'"),
        ("cluster", "A2", "ident", r"sheet 'cluster', row 2, column 'field': unknown field 'ident'"),
        ("co2_storage", "D2", "25 km", r"sheet 'co2_storage', row 2, column 'distance': '25 km' is text"),
    ],
)
def test_reader_problems_name_sheet_row_and_column(tmp_path, cluster, sheet, cell, value, expected):
    path = tmp_path / "reader.xlsx"
    write_template(path, cluster)
    edit(path, sheet, cell, value)
    with pytest.raises(InputError, match=expected):
        load_cluster(path)


def test_register_is_written_with_members_as_comma_separated_ids(tmp_path, cluster):
    path = tmp_path / "register.xlsx"
    write_template(path, cluster)
    projects = sheet_rows(path, "projects")
    assert projects[1][:5] == ("ccs", "Shared capture and pipeline", "carbon_capture", "chem, 101",
                               "final_investment_decision")
    assert projects[1][-2:] == (400000, "t")
    fields = {row[0]: row[1] for row in sheet_rows(path, "cluster")}
    assert fields["governance"] == "joint_venture" and fields["companies"] == 12
    assert sheet_rows(path, "policies")[1:] == [("EU ETS", "carbon_price", "in_place", 2005),
                                                ("Storage licensing", "ccs_regulation", "planned", None)]


def test_project_members_typed_loosely_are_read(tmp_path, cluster):
    path = tmp_path / "loose.xlsx"
    write_template(path, cluster)
    members = column_letter(path, "projects", "members")
    edit(path, "projects", members + "2", " chem ,101, ")
    assert load_cluster(path).projects == cluster.projects


@pytest.mark.parametrize(
    ("sheet", "header", "value", "expected"),
    [
        ("projects", "members", "chem, cementt",
         r"sheet 'projects', row 2, column 'members': 'cementt' is not an id in sheet 'members'"),
        ("projects", "stage", "built", r"sheet 'projects', row 2, column 'stage'.*'built'"),
        ("projects", "lever", "fusion", r"sheet 'projects', row 2, column 'lever'.*unknown lever\(s\) fusion"),
        ("projects", "public_funding", 5.0e8, r"sheet 'projects', row 2.*public_funding is part of committed"),
        ("policies", "kind", "subsidy", r"sheet 'policies', row 2, column 'kind'.*'subsidy'"),
        ("policies", "status", "maybe", r"sheet 'policies', row 2, column 'status'"),
        ("employment_factors", "technology", "fusion",
         r"sheet 'employment_factors', row 2, column 'technology'.*unknown technology\(s\) fusion"),
        ("employment_factors", "source", None, r"sheet 'employment_factors', row 2, column 'source'"),
        ("employment_factors", "capacity_unit", "kW", r"sheet 'employment_factors', row 2, column 'capacity_unit'"),
    ],
)
def test_register_problems_name_sheet_row_and_column(tmp_path, cluster, sheet, header, value, expected):
    path = tmp_path / "bad-register.xlsx"
    write_template(path, cluster)
    edit(path, sheet, column_letter(path, sheet, header) + "2", value)
    with pytest.raises(InputError, match=expected):
        load_cluster(path)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("governance", "committee", "'committee'"), ("companies", "many", "companies"),
     ("companies", 1, "companies (1) is smaller than the number of members (2)")],
)
def test_bad_governance_and_companies_are_reported(tmp_path, cluster, field, value, expected):
    path = tmp_path / "governance.xlsx"
    write_template(path, cluster)
    row = [r[0] for r in sheet_rows(path, "cluster")].index(field) + 1
    edit(path, "cluster", f"B{row}", value)
    with pytest.raises(InputError) as caught:
        load_cluster(path)
    message = str(caught.value)
    assert expected in message
    if value != 1:  # a check across fields (companies against members) names the cluster, not a row
        assert f"sheet 'cluster', row {row}, column 'value'" in message


def test_missing_members_sheet(tmp_path, cluster):
    path = tmp_path / "nomembers.xlsx"
    write_template(path, cluster)
    workbook = openpyxl.load_workbook(path)
    del workbook["members"]
    workbook.save(path)
    with pytest.raises(InputError, match="has no sheet 'members'"):
        load_cluster(path)


@pytest.mark.parametrize("content", [b"id: not a workbook\n", b"PK\x03\x04 truncated"])
def test_not_a_workbook_is_a_clean_error(tmp_path, content):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match="is not an Excel workbook"):
        load_cluster(path)


def test_truncated_workbook_is_a_clean_error(tmp_path, cluster):
    path = tmp_path / "cut.xlsx"
    write_template(path, cluster)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputError, match="is not an Excel workbook"):
        load_cluster(path)


def test_failed_write_leaves_nothing(tmp_path, cluster, monkeypatch):
    def fail(self, filename):
        Path(filename).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError):
        write_template(tmp_path / "out.xlsx", cluster)
    assert list(tmp_path.iterdir()) == []


def test_bundled_examples_round_trip(tmp_path):
    from clusterpath import examples

    for name in examples.names():
        cluster = examples.load(name)
        path = tmp_path / f"{name}.xlsx"
        write_template(path, cluster)
        assert load_cluster(path).model_dump() == cluster.model_dump(), name
