"""TensorFlow SavedModel inspector: ops listed, Python and file ops raise the severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect, savedmodel_bytes


@pytest.mark.parametrize(
    ("ops", "severity"),
    [
        (["Const", "MatMul"], Severity.LOW),
        (["Const", "PyFunc"], Severity.HIGH),
        (["ReadFile", "Const"], Severity.HIGH),
    ],
)
def test_ops_decide_severity(tmp_path: Path, ops: list[str], severity: Severity) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    p = folder / "saved_model.pb"
    p.write_bytes(savedmodel_bytes(ops))
    info = inspect(p, tmp_path)
    assert info.format == "tf-savedmodel"
    assert info.location.path == "export/saved_model.pb"
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD209", severity)]
    assert set(info.metadata["ops"]) == set(ops)
    assert info.metadata["tags"] == ["serve"]
    assert info.metadata["tensorflow_version"] == "2.15.0"


def test_garbage_is_malformed_not_a_crash(tmp_path: Path) -> None:
    p = tmp_path / "saved_model.pb"
    p.write_bytes(b"\x12\xff\xff\xff\x0f garbage")
    rules = [f.rule_id for f in inspect(p).findings]
    assert "MD210" in rules
