"""GGUF inspector: the metadata contract, special tokens, bounded reads, damaged files."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from gguf import TokenType

from modeldeps.model import Severity
from tests.discover.inspectors.builders import inspect, write_gguf

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>{% endfor %}"
)


def test_metadata_contract(tmp_path: Path) -> None:
    tokens = ["<s>", "</s>", "a", "b", "<tool>"]
    types = [TokenType.CONTROL, TokenType.CONTROL, TokenType.NORMAL, TokenType.NORMAL,
             TokenType.USER_DEFINED]  # fmt: skip
    p = write_gguf(
        tmp_path / "m.gguf",
        template=CHATML,
        tokens=tokens,
        token_types=[int(t) for t in types],
        extra={"tokenizer.ggml.pre": "qwen2"},
        tensors={"a": (4, 8), "b": (3,)},
    )
    info = inspect(p)
    m = info.metadata
    assert info.format == "gguf"
    assert (info.tensors, info.params, info.dtype) == (2, 35, "ALL_F32")
    assert m["general.architecture"] == "llama"
    assert m["general.name"] == "tiny-test"
    assert m["general.license"] == "apache-2.0"
    assert m["general.base_model.0.repo_url"] == "https://huggingface.co/org/base"
    assert m["tokenizer.ggml.pre"] == "qwen2"
    assert m["tokenizer.chat_template"] == CHATML
    assert m["tokenizer.ggml.tokens.count"] == 5
    assert m["tokenizer.ggml.special_tokens"] == ["<s>", "</s>", "<tool>"]
    assert m["tokenizer.ggml.scores.count"] == 5
    assert "tokenizer.ggml.tokens" not in m and "tokenizer.ggml.scores" not in m
    assert info.findings == ()


def test_never_reads_tensor_data(tmp_path: Path) -> None:
    p = write_gguf(tmp_path / "m.gguf", tensors={"big": (1024, 1024)})
    info = inspect(p)
    assert info.params == 1024 * 1024
    assert info.bytes_read is not None and info.bytes_read < info.size_bytes / 4


def test_ssti_template_is_critical(tmp_path: Path) -> None:
    evil = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    info = inspect(write_gguf(tmp_path / "m.gguf", template=evil))
    rules = {(f.rule_id, f.severity, f.subject) for f in info.findings}
    assert ("MD207", Severity.CRITICAL, "tokenizer.chat_template:__subclasses__") in rules


def _header(kv: bytes, n_kv: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, 0, n_kv) + kv


def _key(name: str) -> bytes:
    return struct.pack("<Q", len(name)) + name.encode()


def test_crafted_string_length_is_high(tmp_path: Path) -> None:
    p = tmp_path / "x.gguf"
    p.write_bytes(_header(_key("general.name") + struct.pack("<IQ", 8, 1 << 62) + b"x" * 40, 1))
    info = inspect(p)
    (f,) = info.findings
    assert (f.rule_id, f.severity) == ("MD210", Severity.HIGH)


@pytest.mark.parametrize("cut", [10, 30, 50])
def test_truncated_file_fails_soft_with_partial_metadata(tmp_path: Path, cut: int) -> None:
    full = write_gguf(tmp_path / "full.gguf", template=CHATML).read_bytes()
    p = tmp_path / "cut.gguf"
    p.write_bytes(full[: len(full) * cut // 100])
    info = inspect(p)
    assert info.format == "gguf"
    assert [f.rule_id for f in info.findings] == ["MD210"]
    assert info.findings[0].severity == Severity.LOW


def test_unsupported_version_is_malformed(tmp_path: Path) -> None:
    p = tmp_path / "v1.gguf"
    p.write_bytes(b"GGUF" + struct.pack("<III", 1, 0, 0))
    (f,) = inspect(p).findings
    assert "version 1" in f.message


def test_big_endian_file(tmp_path: Path) -> None:
    kv = struct.pack(">Q", 20) + b"general.architecture" + struct.pack(">IQ", 8, 5) + b"llama"
    p = tmp_path / "be.gguf"
    p.write_bytes(b"GGUF" + struct.pack(">IQQ", 3, 0, 1) + kv)
    info = inspect(p)
    assert info.metadata["general.architecture"] == "llama"
    assert info.findings == ()
