"""Ignores with expiry, inline suppression, and baselines keyed by line-free fingerprints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from modeldeps.assess.baseline import load_baseline, render_baseline
from modeldeps.assess.suppress import parse_inline
from modeldeps.errors import ConfigError
from modeldeps.model import ModelReference, RefKind
from tests.assess.helpers import ids, of, policy, ref, result, run

RC = "Qwen/Qwen2.5-7B-Instruct"


def _rc(path: str = "app.py", line: int = 2) -> ModelReference:
    return ref(RC, path=path, line=line, trust_remote_code=True, loader="from_pretrained")


def test_parse_inline() -> None:
    assert parse_inline("x = 1  # modeldeps: ignore[MD205] reviewed") == frozenset({"MD205"})
    assert parse_inline("// modeldeps: ignore[md205, MD401]") == frozenset({"MD205", "MD401"})
    assert parse_inline("x = 1  # modeldeps: ignore") is None
    assert parse_inline("x = 1  # noqa") is None


def test_inline_suppression_on_the_line_or_the_comment_line_above(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import transformers\n"
        f'm = load("{RC}", trust_remote_code=True)  # modeldeps: ignore[MD205] vetted code\n'
        "# modeldeps: ignore[MD401] pinned in models.lock\n"
        f'n = load("{RC}")\n'
        f'o = load("{RC}", trust_remote_code=True)  # modeldeps: ignore[MD401]\n',
        encoding="utf-8",
    )
    res = result(
        ref(RC, line=2, trust_remote_code=True),
        ref(RC, line=4),
        ref(RC, line=5, trust_remote_code=True),
        roots=(str(tmp_path),),
    )
    findings = run(res, policy(watch={}), roots=(tmp_path,))
    assert [(f.rule_id, f.location.line) for f in findings] == [
        ("MD205", 5),
        ("MD401", 2),
    ]


def test_inline_suppression_in_a_call_spread_over_lines(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "m = load(  # modeldeps: ignore[MD205] reviewed\n"
        f'    "{RC}",\n'
        "    trust_remote_code=True,\n"
        ")\n"
        "x = 1\n"
        f'n = load("{RC}", trust_remote_code=True)\n',
        encoding="utf-8",
    )
    res = result(
        ref(RC, line=2, trust_remote_code=True),
        ref(RC, line=6, trust_remote_code=True),
        roots=(str(tmp_path),),
    )
    found = of(run(res, policy(watch={}), roots=(tmp_path,)), "MD205")
    assert [f.location.line for f in found] == [6]


def test_inline_suppression_never_reads_outside_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(f'm = "{RC}"  # modeldeps: ignore[MD401]\n', encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.py").symlink_to(outside)
    res = result(ref(RC, path="link.py", line=1), ref(RC, path="../outside.py", line=1))
    findings = run(res, policy(watch={}), roots=(root,))
    (md401,) = of(findings, "MD401")
    assert [loc.path for loc in md401.locations] == ["../outside.py", "link.py"]


def test_ignore_by_rule_path_and_model_with_expiry() -> None:
    res = result(_rc("legacy/a.py"), _rc("src/b.py"), ref("meta-llama/Llama-3.1-8B", line=9))
    ign = [
        {"rule": "MD205", "path": "legacy/", "reason": "old code", "expires": "2025-12-31"},
        {"rule": "*", "model": "meta-llama/*", "reason": "approved"},
    ]
    findings = run(res, policy(watch={}, ignore=ign))
    assert [f.location.path for f in of(findings, "MD205")] == ["src/b.py"]
    assert not [f for f in findings if f.subject.startswith("meta-llama/")]
    assert not of(findings, "MD001")


def test_an_expired_ignore_hides_nothing_and_is_itself_a_finding(tmp_path: Path) -> None:
    cfg = tmp_path / ".modeldeps.toml"
    cfg.write_text(
        "watch = {}\n[[ignore]]\nrule = 'MD205'\nreason = 'until the vendor fixes it'\n"
        "expires = 2025-05-31\n",
        encoding="utf-8",
    )
    from modeldeps.assess.policy import load_policy

    pol = load_policy(tmp_path, None)
    res = result(_rc())  # the scan runs on 2025-06-01
    findings = run(res, pol, roots=(tmp_path,))
    assert ids(findings) == ["MD001", "MD205", "MD401"]
    (expired,) = of(findings, "MD001")
    assert expired.location.path == ".modeldeps.toml" and expired.location.line == 4
    assert "expired on 2025-05-31" in expired.message
    # Valid through its expiry day.
    still = run(result(_rc(), started="2025-05-31T23:00:00+00:00"), pol, roots=(tmp_path,))
    assert ids(still) == ["MD401"]


def test_baseline_hides_known_findings_and_catches_new_ones(tmp_path: Path) -> None:
    before = run(result(_rc(line=2)))
    path = tmp_path / "base.json"
    path.write_text(render_baseline(before, "0"), encoding="utf-8")
    doc = json.loads(path.read_text())
    assert doc["version"] == 2 and "line" not in json.dumps(doc)
    # Same findings moved down by edits: still hidden.
    assert run(result(_rc(line=40)), baseline=path) == []
    # The accepted model used in one more place, here or in a new file: the same finding.
    assert run(result(_rc(line=40), _rc(line=41), _rc("new.py")), baseline=path) == []
    # Another model is new.
    other = replace(_rc(line=41), value="Qwen/Qwen2.5-1.5B-Instruct", identity=None)
    after = run(result(_rc(line=40), other), baseline=path)
    assert {f.subject for f in of(after, "MD205")} == {"Qwen/Qwen2.5-1.5B-Instruct"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "not valid JSON"),
        ('{"tool": "other", "version": 1, "findings": []}', "not a modeldeps baseline"),
        ('{"tool": "modeldeps", "version": 9, "findings": []}', "version 9"),
        ('{"tool": "modeldeps", "version": 1, "findings": []}', "write it again"),
        ('{"tool": "modeldeps", "version": 2, "findings": {}}', "expected a list"),
        ('{"tool": "modeldeps", "version": 2, "findings": [{}]}', "without a fingerprint"),
        (
            '{"tool": "modeldeps", "version": 2, "findings": [{"fingerprint": "a", "count": 0}]}',
            "positive integer",
        ),
    ],
)
def test_bad_baseline_is_a_config_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words) as info:
        load_baseline(path)
    assert info.value.file == str(path)


def test_missing_baseline_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read baseline"):
        load_baseline(tmp_path / "none.json")


def test_endpoint_reference_kind_is_not_licence_checked() -> None:
    res = result(ref("https://api.openai.com/v1", RefKind.ENDPOINT))
    assert run(res) == []
