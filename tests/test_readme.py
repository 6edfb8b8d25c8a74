"""The README's two set-up commands stay true: CI runs the test one, and the demo works."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.*?)\n```", text, re.S)[:2]


def test_readme_starts_with_demo_and_test_commands():
    demo, test = first_commands()
    assert demo.startswith("python3.12 -m venv .venv") and demo.endswith(".venv/bin/nicip demo")
    assert test.startswith("python3.12 -m venv .venv") and test.endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command():
    _, test = first_commands()
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()


def test_demo_command_runs(tmp_path):
    demo, _ = first_commands()
    last = shlex.split(demo.split("&&")[-1])
    assert last == [".venv/bin/nicip", "demo"]
    script = Path(sys.executable).with_name("nicip")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "loader"]
    env = {**os.environ, "NICIP_DB": str(tmp_path / "demo.db"), "COLUMNS": "200"}
    env.pop("NEO4J_URI", None)
    done = subprocess.run(
        [*cmd, *last[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # The sample's answers (tests/data/sample-release/README.md): XWRIB's concept, one
    # collision on 57902003 and the wrist laterality family.
    assert "60027007" in out and "57902003" in out and "collision" in out
    assert "laterality family" in out
