"""Game files: the two forms, and a clear InputError naming file, coalition and expectation for each mistake."""

import json

import pytest

from clusterpath.coalition import AirportGame, load_game
from clusterpath.io import InputError

GOOD = {"players": ["A", "B", "C"],
        "costs": {"A": 10, "B": 12, "C": 9, "A,B": 18, "A,C": 17, "B,C": 19, "A,B,C": 25}}


def write(tmp_path, data, name="game.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def problems(tmp_path, data) -> str:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        load_game(path)
    assert caught.value.source == str(path)
    return str(caught.value)


def test_explicit_table_with_any_order_and_spaces(tmp_path):
    data = {"players": ["A", "B", "C"],
            "costs": {"C": 9, "B ,A": 18, " A ": 10, "B": 12, "C, A": 17, "B,C": 19, "C,B, A": 25}}
    game = load_game(write(tmp_path, data))
    assert game.players == ("A", "B", "C")
    assert list(game.table()) == [0, 10, 12, 18, 9, 17, 19, 25]
    assert game.source.endswith("game.json")


def test_airport_rule(tmp_path):
    game = load_game(write(tmp_path, {"players": ["A", "B", "C"], "rule": "airport",
                                      "costs": {"A": 8, "B": 11, "C": 13}}))
    assert isinstance(game, AirportGame)
    assert game.cost({"A", "B"}) == 11 and game.total == 13


def test_incomplete_characteristic_function_lists_the_first_missing_and_counts_them(tmp_path):
    data = {"players": ["A", "B", "C", "D"], "costs": {"A": 1, "B": 1, "C": 1, "A,B": 2}}
    message = problems(tmp_path, data)
    assert "incomplete: 11 of 15 coalitions have no cost" in message
    assert "first missing: D; A,C; A,D; B,C; B,D" in message


@pytest.mark.parametrize(("value", "shown"), [("10", "'10'"), (None, "None"), (True, "True"), ([1], "[1]")])
def test_non_numeric_cost(tmp_path, value, shown):
    data = json.loads(json.dumps(GOOD))
    data["costs"]["A,B"] = value
    assert f'costs["A,B"] (line 11): cost {shown} is not a finite number' in problems(tmp_path, data)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinite_costs(tmp_path, literal):
    text = json.dumps(GOOD, indent=2).replace('"A,B,C": 25', f'"A,B,C": {literal}')
    assert 'costs["A,B,C"] (line 14): cost' in problems(tmp_path, text)
    assert "is not a finite number" in problems(tmp_path, text)


def test_duplicate_players(tmp_path):
    assert "players: 'A' is listed more than once" in problems(tmp_path, GOOD | {"players": ["A", "B", "A"]})


def test_unknown_player_in_a_coalition(tmp_path):
    data = json.loads(json.dumps(GOOD))
    data["costs"]["A,Z"] = 3
    assert "costs[\"A,Z\"] (line 15): unknown player(s) 'Z' (players: A, B, C)" in problems(tmp_path, data)


def test_coalition_listed_twice(tmp_path):
    data = json.loads(json.dumps(GOOD))
    data["costs"]["B, A"] = 18
    assert 'costs["B, A"] (line 15): the same coalition as costs["A,B"]; list it once' in problems(tmp_path, data)


def test_the_same_key_written_twice(tmp_path):
    text = '{"players": ["A", "B"],\n "costs": {"A": 1, "B": 1,\n "A,B": 2,\n "A,B": 2}}'
    assert '"A,B" (line 3) appears more than once in the same object' in problems(tmp_path, text)


@pytest.mark.parametrize("players", [[], None])
def test_empty_or_missing_player_list(tmp_path, players):
    data = {"costs": {}} if players is None else {"players": players, "costs": {}}
    assert "players: required, a non-empty list of player names" in problems(tmp_path, data)


def test_unknown_rule(tmp_path):
    assert "rule: unknown rule 'shapley': expected 'airport'" in problems(tmp_path, GOOD | {"rule": "shapley"})


def test_invalid_json_names_the_line(tmp_path):
    text = '{"players": ["A", "B"],\n "costs": {"A": 1,\n "B": 2,,\n}}'
    assert "invalid JSON at line 3, column 9" in problems(tmp_path, text)


def test_every_problem_is_reported_at_once(tmp_path):
    data = {"players": ["A", "B"], "costs": {"A": "x", "A,A": 1, "": 2, "A,B": 3}, "extra": 1}
    message = problems(tmp_path, data)
    assert "problems" in message
    assert "'extra' is not a known field (expected players, rule, costs)" in message
    assert 'costs["A"] (line 7): cost \'x\' is not a finite number' in message
    assert 'costs["A,A"] (line 8): a player is named twice in one coalition' in message
    assert 'costs[""] (line 9): empty player name' in message
    assert "first missing: B" in message


@pytest.mark.parametrize(("data", "expected"), [
    ([1, 2], "expected a JSON object with players, rule, costs, got list"),
    ({"players": "A,B", "costs": {}}, "players: expected a list of names, got str"),
    ({"players": ["A", "B,C"], "costs": {}}, "players: 'B,C' is not a valid name"),
    ({"players": ["A"], "costs": {"A": 1}}, "at least two players"),
    ({"players": ["A", "B"]}, "costs: required"),
    ({"players": ["A", "B"], "costs": [1]}, "costs: expected a JSON object, got list"),
    ({"players": ["A", "B"], "rule": "airport", "costs": {"A": 1, "A,B": 2}},
     "the airport rule takes stand-alone costs only"),
    ({"players": ["A", "B"], "rule": "airport", "costs": {"A": 1}}, "costs: no stand-alone cost for player 'B'"),
    ({"players": [f"p{i}" for i in range(21)], "costs": {}}, "the limit is 20 players"),
])
def test_other_mistakes(tmp_path, data, expected):
    assert expected in problems(tmp_path, data)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_game(tmp_path / "absent.json")
    with pytest.raises(InputError, match="is a folder"):
        load_game(tmp_path)
