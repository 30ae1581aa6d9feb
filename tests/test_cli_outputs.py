"""CLI output a person reads (issue 18, item 3): tables readable at 80 columns, years as years, money rounded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from clusterpath.io import load_scenario, scenario_names


def _run(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "clusterpath", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)  # fmt: skip


def test_scenarios_are_readable_at_80_columns():
    result = _run("scenarios")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # Each description's opening words stay on one line (not one word per line), and every name is whole.
    text = "\n".join(lines)
    for name in scenario_names():
        assert f" {name} " in text
        opening = " ".join(load_scenario(name).description.split()[:6])
        assert any(opening in line for line in lines), opening


@pytest.mark.parametrize("command", ["plan", "allocate", "collaborate", "report", "workforce", "portfolio"])
def test_every_long_command_takes_a_time_limit(command):
    from typer.testing import CliRunner

    from clusterpath.cli import app

    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--time-limit" in result.output


def test_the_collaboration_table_is_readable_at_80_columns(monkeypatch):
    """Seven splitting rules and the members' names fit 80 columns: no header cut to 'propo…'."""
    import io

    from rich.console import Console

    from clusterpath import cli

    rules = ["shapley", "scrb", "proportional", "use", "dual", "nucleolus", "least-core"]
    players = ["brewery", "dairy", "paper-mill", "glass-plant", "cold-store", "plastics"]
    report = {"currency": "DKK", "together": 1.2e9, "standalone": dict.fromkeys(players, 2.1e8), "dividend": 7.6e6,
              "dividend_share": 0.006, "players": players, "coalitions_solved": 63,
              "rules": {r: {"savings": {p: -547.3e6 + i * 1e6 for i, p in enumerate(players)}, "in_core": i % 2 == 0}
                        for i, r in enumerate(rules)},
              "levers": [{"lever": "shared heat_network", "together": 1e6, "alone": 2e6, "saving": 1e6}]}  # fmt: skip
    screen = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=screen, width=80, color_system=None))
    cli._print_collaboration(report)
    text = screen.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for player in players:
        assert player in text
    assert "-547.3" in text  # million DKK, to a tenth at this size
