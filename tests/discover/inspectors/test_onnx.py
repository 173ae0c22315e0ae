"""ONNX inspector: producer, opsets, params, custom domains and external-data escapes."""

from __future__ import annotations

from pathlib import Path

from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect, onnx_bytes


def test_producer_opset_and_params(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes())
    info = inspect(p)
    assert info.format == "onnx"
    assert (info.tensors, info.params, info.dtype) == (1, 8, "FLOAT")
    assert info.metadata["producer_name"] == "pytorch"
    assert info.metadata["opsets"] == {"ai.onnx": 17}
    assert info.metadata["op_types"] == {"Add": 1}
    assert info.findings == ()


def test_initializer_bytes_are_skipped(tmp_path: Path) -> None:
    p = tmp_path / "big.onnx"
    p.write_bytes(onnx_bytes(raw=b"\0" * 4_000_000))
    info = inspect(p)
    assert info.bytes_read is not None and info.bytes_read < 300_000


def test_external_data_escaping_the_folder(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes(external="../../../etc/passwd"))
    info = inspect(p)
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD208", Severity.HIGH)]
    assert info.metadata["external_data"] == ["../../../etc/passwd"]


def test_external_data_inside_the_folder_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes(external="weights/m.onnx.data"))
    assert inspect(p).findings == ()


def test_absolute_external_path_escapes(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes(external="/etc/shadow"))
    assert [f.rule_id for f in inspect(p).findings] == ["MD208"]


def test_custom_domain_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes(domain="com.example.ops"))
    info = inspect(p)
    assert info.metadata["custom_domains"] == ["com.example.ops"]
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD209", Severity.LOW)]


def test_truncated_file_is_malformed(tmp_path: Path) -> None:
    p = tmp_path / "m.onnx"
    p.write_bytes(onnx_bytes()[:-7])
    assert [f.rule_id for f in inspect(p).findings] == ["MD210"]
