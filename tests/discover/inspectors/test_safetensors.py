"""safetensors inspector: header facts, bounded reads, malformed and crafted headers, shards."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

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
    low, medium = sorted(info.findings, key=lambda f: f.severity.rank)
    assert (low.rule_id, low.severity) == ("MD210", Severity.LOW)
    assert "does not fill" in low.message
    # 8 of the 16 data bytes belong to no tensor: a polyglot layout the loader refuses.
    assert (medium.rule_id, medium.severity) == ("MD210", Severity.MEDIUM)


def _raw(header: Mapping[str, object], data: int) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * data


@pytest.mark.parametrize(
    ("spans", "data", "why"),
    [
        ([(0, 8), (4, 12)], 12, "overlap"),
        ([(0, 8), (8, 40)], 16, "past the end"),
        ([(0, 8), (16, 24)], 24, "gap"),
        ([(0, 8)], 16, "end at data byte 8"),
    ],
)
def test_offsets_that_do_not_tile_the_data_are_medium(
    tmp_path: Path, spans: list[tuple[int, int]], data: int, why: str
) -> None:
    header = {
        f"t{i}": {"dtype": "U8", "shape": [e - b], "data_offsets": [b, e]}
        for i, (b, e) in enumerate(spans)
    }
    p = tmp_path / "x.safetensors"
    p.write_bytes(_raw(header, data))
    found = [(f.rule_id, f.severity) for f in inspect(p).findings]
    assert found == [("MD210", Severity.MEDIUM)], (found, why)
    assert why in inspect(p).findings[0].message


def test_a_huge_header_is_parsed_in_bounded_memory(tmp_path: Path) -> None:
    # 400,000 entries (a 42 MB header): json.loads built ~0.5 GB of objects for it; the
    # streaming parse keeps 16 bytes per tensor. Measured in a child process's peak RSS.
    p = tmp_path / "many.safetensors"
    count = 400_000
    with p.open("wb") as fh:
        fh.write(b"\0" * 8)
        fh.write(b"{")
        for i in range(count):
            sep = b"," if i else b""
            fh.write(sep + b'"layer.%d.weight":{"dtype":"U8","shape":[1],' % i)
            fh.write(b'"data_offsets":[%d,%d]}' % (i, i + 1))
        fh.write(b"}")
        n = fh.tell() - 8
        fh.write(b"\0" * count)
        fh.seek(0)
        fh.write(struct.pack("<Q", n))
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from modeldeps.discover.inspectors import inspect_file\n"
        "p = Path(sys.argv[1])\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "info = inspect_file(p, p.name, p.parent)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(info.tensors, info.findings == (), (after - before) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(p)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:2] == [str(count), "True"]
    assert int(out[2]) < 96, f"peak grew by {out[2]} MB for a {n // 2**20} MB header"


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
