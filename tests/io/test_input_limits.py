"""Files that cost far more to read than their size (issue 14, item 5) are refused early, naming the file
and the limit, from the command line as from every other reader."""

from __future__ import annotations

import json

import pytest
from helpers.attacks import (
    billion_laughs,
    cell_bomb,
    deep_json,
    deep_yaml,
    many_parts,
    recursive_yaml,
    row_gap_bomb,
    wide_dimension_bomb,
)
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.io import InputError
from clusterpath.io.read import read_raw

ATTACKS = {
    "laughs.yaml": (billion_laughs(), "aliases expand to more than 200,000"),
    "loop.yaml": (recursive_yaml(), "alias inside its own anchor"),
    "deep.yaml": (deep_yaml(), "nested more than 32 levels deep"),
    "deep.json": (deep_json(), "nested more than 32 levels deep"),
    "cells.xlsx": (cell_bomb(), "more than 16,384 cells in one row"),
    "rows.xlsx": (cell_bomb(rows=250_000, cells=250_000), "more than 100,000 rows"),
    "gap.xlsx": (row_gap_bomb(), "more than 100,000 rows"),
    "wide.xlsx": (wide_dimension_bomb(), "reads as more than 500,000 cells"),
    "parts.xlsx": (many_parts(), "holds 50,000 parts (limit 1,000)"),
}


def _write(folder, name: str, content) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_file_is_refused_naming_file_and_limit(tmp_path, name):
    content, expected = ATTACKS[name]
    with pytest.raises(InputError) as caught:
        read_raw(_write(tmp_path, name, content))
    assert name in caught.value.message and expected in caught.value.message, caught.value.message


@pytest.mark.parametrize("name", list(ATTACKS))
def test_the_cli_answers_each_attack_with_exit_2_and_a_message(tmp_path, name):
    content, expected = ATTACKS[name]
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, name, content))])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()) and "Traceback" not in result.output


def test_aliases_within_the_budget_still_work(tmp_path):
    text = ("defaults: &steam {service: steam, carrier: natural_gas}\n"
            "demands:\n  - {<<: *steam, useful_energy: 5 MWh}\n  - *steam\n")  # fmt: skip
    data, locate = read_raw(_write(tmp_path, "ok.yaml", text))
    assert data["demands"] == [{"service": "steam", "carrier": "natural_gas", "useful_energy": "5 MWh"},
                               {"service": "steam", "carrier": "natural_gas"}]  # fmt: skip
    assert locate(("demands", 0)) == "line 3"


def test_nesting_up_to_the_limit_is_read(tmp_path):
    # 32 containers: the top-level mapping and 31 lists inside it.
    data, _ = read_raw(_write(tmp_path, "ok.json", '{"a": ' + "[" * 31 + "]" * 31 + "}"))
    depth, node = 1, data["a"]
    while node != []:
        depth, node = depth + 1, node[0]
    assert depth == 31
    with pytest.raises(InputError, match="nested more than 32 levels deep"):
        read_raw(_write(tmp_path, "deeper.json", '{"a": ' + "[" * 32 + "]" * 32 + "}"))


def test_aliases_that_nest_deeper_than_the_limit_are_refused(tmp_path):
    # Each line nests 4 levels and refers to the line before: 10 lines read as 40 levels, none written so deep.
    lines = ["l0: &l0 [[[[x]]]]"] + [f"l{i}: &l{i} [[[[*l{i - 1}]]]]" for i in range(1, 10)]
    with pytest.raises(InputError, match="nested more than 32 levels deep"):
        read_raw(_write(tmp_path, "chain.yaml", "\n".join(lines) + "\n"))


def test_a_game_file_nested_too_deep_is_an_input_error(tmp_path):
    from clusterpath.coalition.gamefile import load_game

    path = _write(tmp_path, "game.json", '{"players": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested more than 32 levels deep"):
        load_game(path)


def test_a_finance_file_with_a_billion_laughs_is_refused(tmp_path):
    from clusterpath.finance.financing import FinanceAssumptions, FinanceError

    path = _write(tmp_path, "finance.yaml", billion_laughs())
    with pytest.raises(FinanceError, match="aliases expand to more than 200,000"):
        FinanceAssumptions.from_file(path, 0.05)


def test_a_workbook_with_too_many_sheets_is_refused(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for number in range(70):
        book.create_sheet(f"s{number}")
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    with pytest.raises(InputError, match="more than 64 sheets"):
        read_raw(path)


def test_json_node_budget_counts_every_value(tmp_path):
    from clusterpath.io.limits import MAX_NODES

    with pytest.raises(InputError, match="more than 200,000 values"):
        read_raw(_write(tmp_path, "many.json", json.dumps({"values": [0] * MAX_NODES})))
