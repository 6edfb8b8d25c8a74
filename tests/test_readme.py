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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_command_loads_the_sample_and_serves_the_explorer(tmp_path):
    import time
    import urllib.request

    demo, _ = first_commands()
    last = shlex.split(demo.split("&&")[-1])
    assert last == [".venv/bin/nicip", "demo"]
    script = Path(sys.executable).with_name("nicip")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "loader"]
    port = free_port()
    env = {
        **os.environ,
        "NICIP_DB": str(tmp_path / "demo.db"),
        "COLUMNS": "200",
        "NICIP_PORT": str(port),
    }
    env.pop("NEO4J_URI", None)
    out_path = tmp_path / "out.txt"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(
            [*cmd, *last[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
        text = out_path.read_text()
        assert status == 200, text
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    # The sample's answers (tests/data/sample-release/README.md): XWRIB's concept, one
    # collision on 57902003 and the wrist laterality family; the explorer address.
    assert "60027007" in text and "57902003" in text and "collision" in text
    assert "laterality family" in text
    assert f"http://127.0.0.1:{port}" in text
