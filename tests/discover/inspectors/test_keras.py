"""Keras inspectors: .keras zips and .h5 model configs."""

from __future__ import annotations

from pathlib import Path

from modeldeps.model import Severity
from tests.discover.inspectors.builders import dense, inspect, keras_config, write_h5, write_keras

LAMBDA = {
    "module": "keras.layers",
    "class_name": "Lambda",
    "config": {"name": "evil", "function": {"class_name": "__lambda__", "config": {"code": "4w"}}},
}
CUSTOM = {
    "module": "mypkg.layers",
    "class_name": "Fancy",
    "registered_name": "mypkg>Fancy",
    "config": {"name": "fancy"},
}


def test_plain_model_is_clean(tmp_path: Path) -> None:
    info = inspect(write_keras(tmp_path / "m.keras", keras_config(dense())))
    assert info.format == "keras"
    assert info.findings == ()
    assert info.metadata["layers"] == 1
    assert info.metadata["keras_version"] == "3.8.0"


def test_lambda_and_custom_objects(tmp_path: Path) -> None:
    info = inspect(write_keras(tmp_path / "m.keras", keras_config(dense(), LAMBDA, CUSTOM)))
    got = sorted((f.rule_id, f.severity, f.subject) for f in info.findings)
    assert got == [
        ("MD206", Severity.HIGH, "Lambda:evil"),
        ("MD206", Severity.HIGH, "custom:mypkg>Fancy"),
    ]


def test_member_path_traversal(tmp_path: Path) -> None:
    p = write_keras(tmp_path / "m.keras", keras_config(dense()), extra_member="../../evil.py")
    assert [(f.rule_id, f.severity) for f in inspect(p).findings] == [("MD208", Severity.HIGH)]


def test_not_a_zip_is_malformed(tmp_path: Path) -> None:
    p = tmp_path / "m.keras"
    p.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert [f.rule_id for f in inspect(p).findings] == ["MD210"]


def test_h5_lambda(tmp_path: Path) -> None:
    cfg = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Lambda", "config": {}}]},
    }
    info = inspect(write_h5(tmp_path / "m.h5", cfg))
    assert info.format == "keras-h5"
    assert [f.rule_id for f in info.findings] == ["MD206"]


def test_h5_without_model_config(tmp_path: Path) -> None:
    info = inspect(write_h5(tmp_path / "w.h5", None))
    assert info.metadata["model_config"] is False
    assert info.findings == ()
