"""Fail closed: a stage, rule or format that cannot run is exit 2 naming it, never a clean scan.

Each test runs the real CLI in a fresh interpreter where one of modeldeps' own modules cannot be
imported (``sys.modules[name] = None`` makes every import of it fail, as a broken install would).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_RUNNER = """
import sys
for name in sys.argv[1].split(","):
    if name:
        sys.modules[name] = None
from modeldeps.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _run(blocked: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _RUNNER, blocked, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Code that sends data to a PRC-operated API: MD501, exit 1 under the default policy."""
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(
        "from openai import OpenAI\n"
        'client = OpenAI(base_url="https://api.deepseek.com/v1")\n'
        'client.chat.completions.create(model="deepseek-chat", messages=[])\n'
    )
    (root / "weights.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    return root


def test_the_intact_install_exits_1(project: Path) -> None:
    done = _run("", "scan", str(project), "--no-cache", "-q", "-f", "json")
    assert done.returncode == 1, done.stderr
    assert "MD501" in {f["rule_id"] for f in json.loads(done.stdout)["findings"]}


@pytest.mark.parametrize(
    "blocked",
    [
        "modeldeps.assess.stage",
        "modeldeps.assess.rules",
        "modeldeps.assess.rules.egress",
        "modeldeps.assess.policy",
        "modeldeps.assess.knowledge",
        "modeldeps.resolve",
        "modeldeps.resolve.resolver",
        "modeldeps.discover.detectors.python_source",
        "modeldeps.discover.inspectors",
        "modeldeps.report.json",
    ],
)
def test_a_scan_with_a_missing_stage_exits_2_naming_it(project: Path, blocked: str) -> None:
    done = _run(blocked, "scan", str(project), "--no-cache", "-q", "-f", "json")
    assert done.returncode == 2, (done.returncode, done.stdout[:300], done.stderr[-600:])
    assert blocked in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # no report that could be read as a result


def test_sarif_without_the_rule_registry_fails() -> None:
    code = (
        "import sys\n"
        "sys.modules['modeldeps.assess.rules'] = None\n"
        "from modeldeps.model import *\n"
        "from modeldeps.report import render\n"
        "f = Finding('MD501', Severity.HIGH, Confidence.HIGH, 't', 'm', Location('a.py', 1))\n"
        "print(render(ScanResult(('.',), '', '0', None, findings=(f,)), 'sarif'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and done.stdout == ""
    assert "modeldeps.assess.rules" in done.stderr


def test_a_missing_policy_module_is_not_a_default_threshold(project: Path) -> None:
    # The threshold comes from the policy; without the policy reader there is no threshold.
    done = _run("modeldeps.assess.policy", "scan", str(project), "--no-cache", "-q")
    assert done.returncode == 2
    assert "modeldeps.assess.policy" in done.stderr


def test_inspect_with_a_missing_resolve_stage_exits_2(project: Path) -> None:
    target = str(project / "weights.safetensors")
    assert _run("", "inspect", target, "-q").returncode in (0, 1)
    done = _run("modeldeps.resolve", "inspect", target, "-q")
    assert done.returncode == 2, done.stderr[-600:]
    assert "modeldeps.resolve" in done.stderr


def test_a_rule_that_raises_stops_the_scan(project: Path) -> None:
    code = (
        "import sys\n"
        "from modeldeps.assess.rules.egress import WatchedEgress\n"
        "def broken(self, ctx):\n"
        "    raise RuntimeError('rule bug')\n"
        "WatchedEgress.check = broken\n"
        "from modeldeps.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(project), "--no-cache", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-600:]
    assert "MD501" in done.stderr and "rule bug" in done.stderr
