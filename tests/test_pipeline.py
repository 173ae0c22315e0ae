"""The pipeline: several roots, warm cache equals cold scan, bad files never lose results."""

from __future__ import annotations

from pathlib import Path

from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan


def _refs(result: object) -> list[tuple[str, str, str, int | None]]:
    from modeldeps.model import ScanResult

    assert isinstance(result, ScanResult)
    return [(r.kind.value, r.value, r.location.path, r.location.line) for r in result.references]


def _tree(root: Path, n: int = 60) -> Path:
    for i in range(n):
        d = root / f"svc{i % 6}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"run{i}.sh").write_text(f"#!/bin/sh\nvllm serve org{i}/model-{i}b\n")
        (d / f"notes{i}.txt").write_text("nothing to see\n")
    return root


def test_warm_scan_equals_cold_and_uses_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo")
    opts = ScanOptions(cache_dir=tmp_path / "cache", resolve=False, assess=False)
    cold = scan([root], opts)
    warm = scan([root], opts)
    assert _refs(cold) == _refs(warm)
    assert len(_refs(cold)) == 60
    assert cold.stats.files_cached == 0
    # Only the 60 shell scripts interest a detector; the notes are never even read, and the cache
    # remembers that too, so the warm scan serves every file from it.
    assert cold.stats.files_seen == 120
    assert cold.stats.bytes_read == sum(
        len(f"#!/bin/sh\nvllm serve org{i}/model-{i}b\n") for i in range(60)
    )
    assert warm.stats.files_cached == 120
    assert warm.stats.bytes_read == 0
    # A changed file is re-read; the others still come from the cache.
    (root / "svc0" / "run0.sh").write_text("#!/bin/sh\nvllm serve other/changed-7b\n")
    again = scan([root], opts)
    assert ("hub_model", "other/changed-7b", "svc0/run0.sh", 2) in _refs(again)
    assert again.stats.files_cached == 119


def test_no_cache_reads_everything(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo", 8)
    opts = ScanOptions(cache_dir=tmp_path / "cache", use_cache=False, resolve=False, assess=False)
    scan([root], opts)
    second = scan([root], opts)
    assert second.stats.files_cached == 0


def test_parallel_and_serial_agree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo", 120)
    base = {"use_cache": False, "resolve": False, "assess": False}
    one = scan([root], ScanOptions(jobs=1, **base))  # type: ignore[arg-type]
    two = scan([root], ScanOptions(jobs=2, **base))  # type: ignore[arg-type]
    assert _refs(one) == _refs(two) and len(_refs(one)) == 120


def test_several_roots_are_prefixed(tmp_path: Path) -> None:
    a = _tree(tmp_path / "alpha", 2)
    b = _tree(tmp_path / "beta", 2)
    result = scan([a, b], ScanOptions(use_cache=False, resolve=False, assess=False))
    paths = {r[2] for r in _refs(result)}
    assert {"alpha/svc0/run0.sh", "beta/svc1/run1.sh"} <= paths


def test_bad_files_do_not_lose_other_results(tmp_path: Path) -> None:
    root = _tree(tmp_path / "repo", 4)
    (root / "huge.sh").write_text("vllm serve org/x\n" * 10)
    opts = ScanOptions(use_cache=False, resolve=False, assess=False, max_text_bytes=100)
    result = scan([root], opts)
    assert len(_refs(result)) == 4
    assert [s.location.path for s in result.skipped] == ["huge.sh"]


def test_a_fully_cached_scan_loads_no_detector(tmp_path: Path) -> None:
    """Detector modules (and what they import) are loaded only when a file must be parsed."""
    import subprocess
    import sys

    root = _tree(tmp_path / "repo", 6)
    code = (
        "import sys; from pathlib import Path\n"
        "from modeldeps.options import ScanOptions\n"
        "from modeldeps.pipeline import scan\n"
        f"opts = ScanOptions(cache_dir=Path({str(tmp_path / 'cache')!r}),"
        " resolve=False, assess=False)\n"
        f"r = scan([Path({str(root)!r})], opts)\n"
        "print(len(r.references), r.stats.files_cached,"
        " 'modeldeps.discover.detectors.infra' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    second = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert first.stdout.split() == ["6", "0", "True"]
    assert second.stdout.split() == ["6", "12", "False"]
