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
