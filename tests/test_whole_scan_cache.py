"""The whole-scan cache: an unchanged scan is given back; any input that changes is a miss."""

from __future__ import annotations

from pathlib import Path

from modeldeps.model import ScanResult
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.scan_key import scan_key


def _project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "app.py").write_text(
        "from transformers import AutoModel\n"
        'm = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct", trust_remote_code=True)\n'
    )
    (root / "serve.sh").write_text("vllm serve meta-llama/Llama-3.1-8B-Instruct\n")
    return root


def _facts(result: ScanResult) -> tuple[object, ...]:
    return (
        tuple((r.kind.value, r.value, str(r.location), r.identity) for r in result.references),
        tuple((f.rule_id, f.severity.value, str(f.location)) for f in result.findings),
        result.kb_version,
    )


def test_an_unchanged_rescan_is_given_back(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    opts = ScanOptions(cache_dir=tmp_path / "cache")
    first = scan([root], opts)
    again = scan([root], opts)
    assert _facts(again) == _facts(first)
    assert {f.rule_id for f in first.findings} >= {"MD205", "MD401"}
    assert first.stats.files_parsed == 2 and again.stats.files_parsed == 0
    assert again.stats.files_seen == first.stats.files_seen
    assert again.started_at >= first.started_at


def test_a_changed_file_is_a_miss(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    opts = ScanOptions(cache_dir=tmp_path / "cache")
    scan([root], opts)
    (root / "serve.sh").write_text("vllm serve mistralai/Mistral-7B-Instruct-v0.3\n")
    again = scan([root], opts)
    assert "mistralai/Mistral-7B-Instruct-v0.3" in {r.value for r in again.references}
    assert "meta-llama/Llama-3.1-8B-Instruct" not in {r.value for r in again.references}


def test_an_inline_suppression_added_is_a_miss(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    opts = ScanOptions(cache_dir=tmp_path / "cache")
    assert "MD205" in {f.rule_id for f in scan([root], opts).findings}
    (root / "app.py").write_text(
        "from transformers import AutoModel\n"
        'm = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct", trust_remote_code=True)'
        "  # modeldeps: ignore[MD205] reviewed\n"
    )
    assert "MD205" not in {f.rule_id for f in scan([root], opts).findings}


def test_a_policy_file_outside_the_root_is_part_of_the_key(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    config = tmp_path / "policy.toml"
    config.write_text("fail-on = 'high'\n")
    opts = ScanOptions(cache_dir=tmp_path / "cache", config_file=config)
    assert "MD101" not in {f.rule_id for f in scan([root], opts).findings}
    config.write_text("fail-on = 'high'\n[deny]\ncountries = ['CN']\n")
    assert "MD101" in {f.rule_id for f in scan([root], opts).findings}


def test_options_that_change_results_are_part_of_the_key(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    cache = tmp_path / "cache"
    full = scan([root], ScanOptions(cache_dir=cache))
    narrow = scan([root], ScanOptions(cache_dir=cache, excludes=("*.sh",)))
    assert len(narrow.references) == len(full.references) - 1
    # Options that only change how the scan runs share the entry.
    again = scan([root], ScanOptions(cache_dir=cache, jobs=1, strict=True))
    assert again.stats.files_parsed == 0


def test_key_covers_every_declaration(tmp_path: Path) -> None:
    from modeldeps.scan_key import Declaration

    baseline = tmp_path / "baseline.json"
    baseline.write_text("{}")
    walked = Declaration("walk", values=("app.py\x00text\x0010\x001\x001\x007",))
    day = Declaration("day", values=("2026-11-29",))
    inputs = Declaration("assess", files=(baseline, tmp_path / "absent.toml"))
    k1 = scan_key([tmp_path], [walked, day, inputs])
    assert k1 == scan_key([tmp_path], [walked, day, inputs])
    assert k1 != scan_key([tmp_path], [walked, Declaration("day", values=("2026-11-30",)), inputs])
    assert k1 != scan_key([tmp_path], [Declaration("walk", values=("app.py",)), day, inputs])
    baseline.write_text('{"version": 1}')
    assert k1 != scan_key([tmp_path], [walked, day, inputs])
    (tmp_path / "absent.toml").write_text("")  # a policy file that appears is a change too
    assert scan_key([tmp_path], [walked, day, inputs]) != k1


def test_online_scans_are_never_cached(tmp_path: Path) -> None:
    import sqlite3

    root = _project(tmp_path / "p")
    opts = ScanOptions(cache_dir=tmp_path / "cache", resolve=False, online=True)
    scan([root], opts)
    with sqlite3.connect(tmp_path / "cache" / "scan-cache.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM scans").fetchone() == (0,)
