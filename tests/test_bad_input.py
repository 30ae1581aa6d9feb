"""Every malformed input ends in exit code 2, a message naming file, field and expectation, and no output files."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app

runner = CliRunner()


def run_inventory(path, tmp_path):
    out_dir = tmp_path / "tables"
    result = runner.invoke(app, ["inventory", str(path), "--csv", str(out_dir)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert not out_dir.exists(), "nothing is written when the input is bad"
    return result.output


def write(tmp_path, data, name="cluster.yaml"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def message(tmp_path, data, name="cluster.yaml"):
    return " ".join(run_inventory(write(tmp_path, data, name), tmp_path).split())


def test_empty_file(tmp_path):
    assert "cluster.yaml: the file is empty" in message(tmp_path, "")


def test_blank_file(tmp_path):
    assert "blank space" in message(tmp_path, "  \n\n")


def test_comments_only(tmp_path):
    assert "holds no data" in message(tmp_path, "# just a comment\n")


def test_not_yaml(tmp_path):
    text = message(tmp_path, "id: [unclosed\nname: x\n")
    assert "is not valid YAML" in text and "line" in text


def test_not_json(tmp_path):
    text = message(tmp_path, '{"id": "x",, }', name="cluster.json")
    assert "cluster.json: is not valid JSON" in text and "line 1" in text


def test_yaml_scalar_is_not_a_cluster(tmp_path):
    assert "expected a cluster description" in message(tmp_path, "just some words\n")


def test_binary_garbage(tmp_path):
    assert "binary file" in message(tmp_path, bytes(range(256)) * 10)


def test_not_utf8(tmp_path):
    assert "not UTF-8" in message(tmp_path, "name: caf\xe9\n".encode("latin-1"))


def test_missing_required_field(tmp_path, small_cluster):
    del small_cluster["members"][0]["sector"]
    text = message(tmp_path, small_cluster)
    assert "members[0] (id 'chem').sector" in text and "required" in text


def test_missing_cluster_field_with_line(tmp_path, small_cluster):
    del small_cluster["currency"]
    assert "currency: is required but missing" in message(tmp_path, small_cluster)


def test_wrong_type(tmp_path, small_cluster):
    small_cluster["members"][0]["jobs"] = "many"
    text = message(tmp_path, small_cluster)
    assert "members[0] (id 'chem').jobs" in text and "integer" in text


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("-5 MWh", "must not be negative"), ("nan MWh", "finite"), ("inf MWh", "finite"), (float("inf"), "has no unit")],
)
def test_bad_amounts(tmp_path, small_cluster, amount, reason):
    small_cluster["members"][0]["demands"][0]["final_energy"] = amount
    text = message(tmp_path, small_cluster)
    assert "members[0] (id 'chem').demands[0].final_energy" in text and reason in text


def test_negative_money(tmp_path, small_cluster):
    small_cluster["members"][1]["value_added"] = -1
    assert "members[1] (id 'power').value_added" in message(tmp_path, small_cluster)


def test_nan_money_in_json(tmp_path, small_cluster):
    small_cluster["members"][1]["value_added"] = float("nan")
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps(small_cluster))  # json.dumps writes NaN, which json.loads reads back
    text = " ".join(run_inventory(path, tmp_path).split())
    assert "members[1] (id 'power').value_added" in text and "finite" in text


def test_unknown_unit(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][0]["final_energy"] = "1000 MWhz"
    text = message(tmp_path, small_cluster)
    assert "unknown unit 'MWhz'" in text and "GWh" in text


def test_unit_of_wrong_dimension(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][0]["final_energy"] = "1000 t"
    assert "'t' is not a unit of energy" in message(tmp_path, small_cluster)


def test_unknown_carrier(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][1]["carrier"] = "unobtainium"
    text = message(tmp_path, small_cluster)
    assert "demands[1].carrier" in text and "unknown carrier 'unobtainium'" in text and "natural_gas" in text


def test_unknown_sector(tmp_path, small_cluster):
    small_cluster["members"][0]["sector"] = "banking"
    text = message(tmp_path, small_cluster)
    assert "sector" in text and "chemicals" in text and "banking" in text


def test_unknown_country(tmp_path, small_cluster):
    small_cluster["country"] = "XX"
    assert "unknown country 'XX'" in message(tmp_path, small_cluster)


def test_duplicate_member_ids(tmp_path, small_cluster):
    small_cluster["members"][1]["id"] = "chem"
    assert "duplicate member id 'chem'" in message(tmp_path, small_cluster)


def test_efficiency_above_one(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][1]["efficiency"] = 1.2
    text = message(tmp_path, small_cluster)
    assert "demands[1]" in text and "efficiency 1.2 is above 1" in text


@pytest.mark.parametrize(("demand", "change", "expected"), [
    (1, {"sold": True}, "steam sold outside the cluster (sold: true) needs 'sale_price'"),
    (1, {"sale_price": 70}, "'sale_price' is only given with 'sold: true'"),
    (0, {"sold": True, "sale_price": 70}, "electricity bought and sold on is not modelled"),
    (1, {"sold": True, "sale_price": "2024: seventy"}, "nor prices by year such as '2024: 70; 2030: 60'"),
])  # fmt: skip
def test_a_product_sold_outside_needs_a_sale_price_and_a_fuel(tmp_path, small_cluster, demand, change, expected):
    small_cluster["members"][0]["demands"][demand].update(change)
    text = message(tmp_path, small_cluster)
    assert f"demands[{demand}]" in text and expected in text


def test_heat_pump_cop_is_allowed(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][1].update(carrier="electricity", equipment="heat_pump", efficiency=3.0)
    result = runner.invoke(app, ["inventory", str(write(tmp_path, small_cluster)), "--json"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("field", "value"), [("lat", 91), ("lon", -181)])
def test_location_out_of_range(tmp_path, small_cluster, field, value):
    small_cluster["location"][field] = value
    text = message(tmp_path, small_cluster)
    assert f"location.{field}" in text


def test_unknown_field_is_a_typo(tmp_path, small_cluster):
    small_cluster["members"][0]["value_aded"] = 1
    text = message(tmp_path, small_cluster)
    assert "members[0] (id 'chem').value_aded" in text and "is not a known field" in text


def test_ten_megabyte_file(tmp_path, small_cluster):
    text = yaml.safe_dump(small_cluster) + "# " + "x" * (10 * 1024 * 1024) + "\n"
    assert "above the 5 MiB limit" in message(tmp_path, text)


def test_missing_file(tmp_path):
    text = " ".join(run_inventory(tmp_path / "nope.yaml", tmp_path).split())
    assert "no such file, and not an example name" in text


def test_yaml_line_numbers(tmp_path, small_cluster):
    small_cluster["members"][1]["demands"][0]["carrier"] = "moonshine"
    path = write(tmp_path, small_cluster)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "moonshine" in t)
    assert f"line {line}" in message(tmp_path, small_cluster)


def test_several_problems_are_listed_together(tmp_path, small_cluster):
    small_cluster["country"] = "ZZ"
    small_cluster["members"][0]["jobs"] = -3
    text = message(tmp_path, small_cluster)
    assert "2 problems" in text and "country" in text and "jobs" in text


def test_purchased_steam_needs_factor(tmp_path, small_cluster):
    small_cluster["members"][0]["demands"][0].update(carrier="steam", service="steam")
    assert "needs an 'emission_factor'" in message(tmp_path, small_cluster)


def test_unwritable_output_is_a_clear_error(tmp_path, small_cluster):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(app, ["inventory", str(write(tmp_path, small_cluster)), "--csv", str(blocker / "sub")])
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output
