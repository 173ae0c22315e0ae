"""Policy end to end through the real CLI, in-process, on small projects written by each test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main

QWEN = "Qwen/Qwen2.5-7B-Instruct"

ONE_QWEN = f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{QWEN}")\n'

APP = f"""\
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("{QWEN}")
model = AutoModelForCausalLM.from_pretrained(
    "{QWEN}", trust_remote_code=True, revision="0123456789abcdef0123456789abcdef01234567"
)
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "proj"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "--no-cache", "--quiet"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else {}), out.err


def rules_at(report: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return sorted(
        (f["rule_id"], f["location"]["path"], f["location"].get("line")) for f in report["findings"]
    )


def test_policy_denying_cn_fails_on_a_qwen_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "app.py": f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{QWEN}")\n'
    }
    root = project(tmp_path, files)
    code, report, _ = scan(capsys, str(root))
    assert code == 0  # watched by default (MD102, medium), not denied
    assert "MD102" in {f["rule_id"] for f in report["findings"]}

    (root / ".modeldeps.toml").write_text('[deny]\ncountries = ["CN"]\n', encoding="utf-8")
    code, report, _ = scan(capsys, str(root))
    assert code == 1
    denied = [f for f in report["findings"] if f["rule_id"] == "MD101"]
    assert [(f["location"]["path"], f["location"]["line"]) for f in denied] == [("app.py", 2)]
    assert "CN" in denied[0]["message"]


def test_policy_in_pyproject_by_jurisdiction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(
        tmp_path,
        {
            "app.py": ONE_QWEN,
            "pyproject.toml": '[project]\nname = "p"\n'
            '[tool.modeldeps.deny]\njurisdictions = ["prc"]\n',
        },
    )
    code, report, _ = scan(capsys, str(root))
    assert code == 1 and ("MD101", "app.py", 2) in rules_at(report)
    # --fail-on on the command line wins over the configuration.
    capsys.readouterr()
    assert (
        main(["scan", str(root), "--format", "json", "--no-cache", "-q", "--fail-on", "critical"])
        == 0
    )


def test_trust_remote_code_and_unpinned_from_pretrained_are_reported_with_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, {"app.py": APP, ".modeldeps.toml": "watch = {}\n"})
    code, report, _ = scan(capsys, str(root))
    assert code == 1  # MD205 is high
    found = rules_at(report)
    assert ("MD205", "app.py", 5) in found  # the line of the model id in the call
    assert ("MD401", "app.py", 3) in found  # the tokenizer has no revision
    # The model is pinned to a commit: no MD401 on its line.
    assert [f for f in found if f[0] == "MD401"] == [("MD401", "app.py", 3)]


def test_baseline_hides_existing_findings_and_catches_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, {"app.py": APP})
    base = tmp_path / "ci" / ".modeldeps-baseline.json"
    assert scan(capsys, str(root))[0] == 1
    assert main(["baseline", "create", str(root), "-o", str(base)]) == 0
    doc = json.loads(base.read_text(encoding="utf-8"))
    assert doc["version"] == 2 and {e["rule_id"] for e in doc["findings"]} >= {"MD205", "MD401"}

    code, report, _ = scan(capsys, str(root), "--baseline", str(base))
    assert (code, report["findings"]) == (0, [])
    # Edits that move the old findings to other lines do not make them new.
    (root / "app.py").write_text("# a comment\n\n" + APP, encoding="utf-8")
    code, report, _ = scan(capsys, str(root), "--baseline", str(base))
    assert (code, report["findings"]) == (0, [])

    (root / "new.py").write_text(
        "from transformers import AutoModel\n"
        'm = AutoModel.from_pretrained("microsoft/phi-2", trust_remote_code=True)\n',
        encoding="utf-8",
    )
    code, report, _ = scan(capsys, str(root), "--baseline", str(base))
    assert code == 1
    assert {f["location"]["path"] for f in report["findings"]} == {"new.py"}
    assert ("MD205", "new.py", 2) in rules_at(report)


def test_baseline_from_the_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"app.py": APP, ".modeldeps.toml": 'baseline = "base.json"\n'})
    # baseline create ignores the configured baseline: it records every current finding.
    assert main(["baseline", "create", str(root), "-o", str(root / "base.json")]) == 0
    assert main(["baseline", "create", str(root), "-o", str(root / "again.json")]) == 0
    assert (root / "base.json").read_text() == (root / "again.json").read_text()
    code, report, _ = scan(capsys, str(root))
    assert (code, report["findings"]) == (0, [])


def test_an_expired_ignore_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = (
        "[[ignore]]\n"
        'rule = "MD205"\n'
        'path = "app.py"\n'
        'reason = "remote code reviewed in SEC-12"\n'
        "expires = {date}\n"
    )
    root = project(tmp_path, {"app.py": APP, ".modeldeps.toml": policy.format(date="2999-12-31")})
    code, report, _ = scan(capsys, str(root))
    assert code == 0 and "MD205" not in {f["rule_id"] for f in report["findings"]}

    (root / ".modeldeps.toml").write_text(policy.format(date="2020-01-31"), encoding="utf-8")
    code, report, _ = scan(capsys, str(root))
    assert code == 1
    found = rules_at(report)
    assert ("MD001", ".modeldeps.toml", 4) in found
    assert any(r == "MD205" for r, _, _ in found)  # the expired ignore hides nothing


def test_inline_suppression_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = (
        "from transformers import AutoModel\n"
        'm = AutoModel.from_pretrained("microsoft/phi-2", trust_remote_code=True)'
        "  # modeldeps: ignore[MD205] architecture vendored and reviewed\n"
    )
    root = project(tmp_path, {"app.py": app})
    code, report, _ = scan(capsys, str(root))
    assert "MD205" not in {f["rule_id"] for f in report["findings"]}
    assert "MD401" in {f["rule_id"] for f in report["findings"]}
    assert code == 0


def test_bad_configuration_exits_2_naming_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, {"app.py": APP, ".modeldeps.toml": '[deny]\ncountry = ["CN"]\n'})
    code, _, err = scan(capsys, str(root))
    assert code == 2
    assert ".modeldeps.toml" in err and "deny.country" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    root2 = project(tmp_path, {"app.py": APP})
    (root2 / ".modeldeps.toml").unlink()
    code, _, err = scan(capsys, str(root2), "--baseline", str(bad))
    assert code == 2 and "bad.json" in err


def test_rules_command_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    from modeldeps.assess.rules import rule_ids

    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert all(rid in listing for rid in rule_ids())
    assert main(["rules", "md201"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(
        "MD201: Pickle imports a dangerous callable (severity critical, CWE-502)"
    )
    assert "Remediation:" in text
    assert main(["rules", "MD205", "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert (rec["id"], rec["cwe"], rec["severity"]) == ("MD205", "CWE-94", "high")
    assert main(["rules", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == list(rule_ids())
    assert main(["rules", "MD999"]) == 2
    assert "unknown rule" in capsys.readouterr().err
