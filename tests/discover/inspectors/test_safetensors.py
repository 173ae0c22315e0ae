"""safetensors inspector: header facts, bounded reads, malformed and crafted headers, shards."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect, safetensors_bytes


def test_header_facts_and_metadata(tmp_path: Path) -> None:
    p = tmp_path / "m.safetensors"
    p.write_bytes(
        safetensors_bytes(
            {"a": ("F16", [3, 5]), "b": ("F16", [7]), "c": ("F32", [2])}, {"format": "pt"}
        )
    )
    info = inspect(p)
    assert (info.format, info.tensors, info.params, info.dtype) == ("safetensors", 3, 24, "F16")
    assert info.metadata["__metadata__"] == {"format": "pt"}
    assert info.metadata["dtypes"] == ["F16", "F32"]
    assert info.findings == ()


def test_reads_only_the_header(tmp_path: Path) -> None:
    p = tmp_path / "big.safetensors"
    p.write_bytes(safetensors_bytes({"w": ("F32", [1024, 1024])}))
    info = inspect(p)
    assert info.params == 1024 * 1024
    assert info.bytes_read is not None and info.bytes_read < 200


def test_crafted_header_length_is_high(tmp_path: Path) -> None:
    p = tmp_path / "x.safetensors"
    p.write_bytes(struct.pack("<Q", 1 << 62) + b'{"a":1}')
    (f,) = inspect(p).findings
    assert (f.rule_id, f.severity) == ("MD210", Severity.HIGH)


def test_truncated_header_is_low(tmp_path: Path) -> None:
    p = tmp_path / "x.safetensors"
    p.write_bytes(struct.pack("<Q", 500) + b'{"a":' + b" " * 20)
    (f,) = inspect(p).findings
    assert (f.rule_id, f.severity) == ("MD210", Severity.LOW)


def test_inconsistent_offsets_are_malformed(tmp_path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
    p = tmp_path / "x.safetensors"
    p.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    info = inspect(p)
    assert [f.rule_id for f in info.findings] == ["MD210"]
    assert "does not fill" in info.findings[0].message


def test_shard_index_lists_shards_and_flags_escapes(tmp_path: Path) -> None:
    (tmp_path / "model-00001-of-00002.safetensors").write_bytes(
        safetensors_bytes({"a": ("F32", [2])})
    )
    index = {
        "metadata": {"total_size": 8},
        "weight_map": {
            "a": "model-00001-of-00002.safetensors",
            "b": "model-00002-of-00002.safetensors",
            "c": "../../outside.safetensors",
        },
    }
    p = tmp_path / "model.safetensors.index.json"
    p.write_text(json.dumps(index))
    info = inspect(p)
    assert info.format == "safetensors-index"
    assert info.tensors == 3
    assert info.metadata["missing_shards"] == ["model-00002-of-00002.safetensors"]
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD208", Severity.HIGH)]
