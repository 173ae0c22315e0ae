"""One bounded YAML loader: aliases cannot expand a small file into a huge one anywhere."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from modeldeps import safeyaml
from modeldeps.cli import main

#: 342 bytes that expand to 9^9 (387 million) strings.
LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def test_the_billion_laughs_is_refused_before_it_is_built() -> None:
    start = time.perf_counter()
    with pytest.raises(safeyaml.YAMLLimitError, match="expands"):
        safeyaml.load(LAUGHS)
    assert time.perf_counter() - start < 1.0
    with pytest.raises(safeyaml.YAMLLimitError):
        safeyaml.compose_all(LAUGHS, loader=yaml.SafeLoader)


def test_ordinary_anchors_still_load() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nlist: &l [1, 2]\nagain: *l\n"
    assert safeyaml.load(text) == {
        "base": {"x": 1},
        "other": {"x": 1, "y": 2},
        "list": [1, 2],
        "again": [1, 2],
    }


def test_depth_is_bounded() -> None:
    deep = "&a " + "- " * 300 + "x\n"
    with pytest.raises(yaml.YAMLError):
        safeyaml.load(deep)


def test_a_kb_overlay_billion_laughs_is_a_usage_error_in_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(LAUGHS)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "app.py").write_text("print('hi')\n")
    start = time.perf_counter()
    code = main(["scan", str(tmp_path / "repo"), "--kb", str(overlay), "--no-cache", "-q"])
    assert time.perf_counter() - start < 10.0
    assert code == 2
    assert "expands" in capsys.readouterr().err


def test_a_scanned_config_billion_laughs_does_not_blow_up(tmp_path: Path) -> None:
    from modeldeps.options import ScanOptions
    from modeldeps.pipeline import scan

    (tmp_path / "deploy.yaml").write_text(LAUGHS + "model: Qwen/Qwen2.5-7B-Instruct\n")
    start = time.perf_counter()
    scan([tmp_path], ScanOptions(use_cache=False))
    assert time.perf_counter() - start < 10.0


def test_no_module_reads_yaml_around_the_bounded_loader() -> None:
    # One source of truth: every YAML read goes through safeyaml (a direct call would be a
    # billion laughs waiting to happen).
    import re

    import modeldeps

    src = Path(modeldeps.__file__).resolve().parent
    top = src.parents[1]
    direct = re.compile(
        r"(?<![\w.])yaml\.(safe_load|load|full_load|unsafe_load|compose|compose_all)\("
    )
    # the package, and the benchmarks and tests, which read lists and files given by path
    files = [
        *src.rglob("*.py"),
        *(top / "benchmarks").rglob("*.py"),
        *(top / "tests").glob("*/*.py"),
    ]
    offenders = [
        str(p.relative_to(top))
        for p in files
        if p.name not in ("safeyaml.py", "test_safeyaml.py") and direct.search(p.read_text("utf-8"))
    ]
    assert len(files) > 300 and offenders == []
