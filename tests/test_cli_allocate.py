"""`clusterpath allocate` on game files, as a user runs it: tables, JSON, and clear errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clusterpath.cli import app

runner = CliRunner()

GAME = {"players": ["A", "B", "C"],
        "costs": {"A": 10, "B": 12, "C": 9, "A,B": 18, "A,C": 17, "B,C": 19, "A,B,C": 25}}  # fmt: skip


@pytest.fixture
def game_file(tmp_path):
    path = tmp_path / "game.json"
    path.write_text(json.dumps(GAME))
    return str(path)


def test_nucleolus_of_the_issue_example_as_json(game_file):
    """By hand: excesses x(S) - c(S) of the singletons and pairs; the nucleolus equalises the largest,
    A and B both save 2.5 (x = 7.5, 9.5), and C pays the rest, 8."""
    result = runner.invoke(app, ["allocate", game_file, "--method", "nucleolus", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["allocation"] == pytest.approx({"A": 7.5, "B": 9.5, "C": 8.0})
    assert payload["standalone"] == {"A": 10.0, "B": 12.0, "C": 9.0}
    assert payload["total"] == 25.0 and payload["in_core"] is True and payload["method"] == "nucleolus"


def test_sampled_shapley_reports_its_confidence(game_file):
    result = runner.invoke(app, ["allocate", game_file, "--method", "shapley", "--samples", "200", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload["ci95"]) == {"A", "B", "C"} and payload["samples"] == 200
    assert sum(payload["allocation"].values()) == pytest.approx(25.0, rel=1e-9)


def test_table_output_names_every_player_and_the_core(game_file):
    result = runner.invoke(app, ["allocate", game_file, "--method", "scrb"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert all(p in text for p in "ABC") and "In the core" in text


@pytest.mark.parametrize(("argv", "expected"), [
    (["--method", "proportional", "--by", "emissions"], "needs a cluster"),
    (["--method", "proportional", "--by", "use"], "use of shared infrastructure needs a cluster"),
    (["--method", "owen"], "unknown allocation method 'owen'"),
    (["--method", "proportional", "--by", "jobs"], "'jobs' is not a basis"),
])  # fmt: skip
def test_mistakes_exit_2(game_file, argv, expected):
    result = runner.invoke(app, ["allocate", game_file, *argv])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())


def test_exact_method_on_16_players_suggests_sampling(tmp_path):
    players = [f"P{i}" for i in range(16)]
    path = tmp_path / "airport.json"
    path.write_text(json.dumps({"players": players, "rule": "airport", "costs": {p: i + 1 for i, p in enumerate(players)}}))
    result = runner.invoke(app, ["allocate", str(path), "--method", "nucleolus"])
    assert result.exit_code == 2
    assert "sampl" in result.output
