"""Artifact signals: model folders without weights, GGUF files (also damaged), chat templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.model import ArtifactInfo, Location
from modeldeps.resolve import Resolver
from modeldeps.resolve.sources.artifact import repo_id_from_path
from tests.resolve.helpers import gguf_file, model_dir


@pytest.fixture(scope="module")
def r() -> Resolver:
    return Resolver.create()


def test_repo_id_from_folder_names(tmp_path: Path) -> None:
    assert repo_id_from_path(Path("models--Qwen--Qwen3-8B")) == "Qwen/Qwen3-8B"
    snap = tmp_path / "models--meta-llama--Llama-3.2-3B" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    assert repo_id_from_path(snap) == "meta-llama/Llama-3.2-3B"
    assert repo_id_from_path(Path("Qwen__Qwen3-1.7B__mlx")) == "Qwen/Qwen3-1.7B"
    assert repo_id_from_path(Path("my_model")) is None


def test_card_base_model_gives_lineage(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "acme-tune",
        config={"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 152064},
        card="---\nlicense: apache-2.0\nbase_model: Qwen/Qwen2.5-7B-Instruct\n---\n# tune\n",
    )
    ident = r.resolve_model_dir(d)
    assert ident.family == "qwen" and ident.publisher is None
    assert ident.lineage[0].base == "Qwen/Qwen2.5-7B-Instruct" and ident.lineage_countries == (
        "CN",
    )
    assert ident.decided_by == "card-base-model"


def test_quantized_card_keeps_base_publisher(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "q4",
        config={"model_type": "llama", "vocab_size": 128256, "quantization": {"bits": 4}},
        card="---\nbase_model: meta-llama/Llama-3.1-8B-Instruct\nlibrary_name: mlx\n---\n",
    )
    ident = r.resolve_model_dir(d)
    assert ident.country == "US" and ident.lineage[0].relation == "quantized"


def test_distill_tokenizer_on_qwen_architecture(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "noname",
        config={"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 152064},
        tokenizer={
            "bos_token": {"content": "<｜begin▁of▁sentence｜>"},
            "eos_token": "<｜end▁of▁sentence｜>",
        },
    )
    ident = r.resolve_model_dir(d)
    assert ident.publisher is not None and ident.publisher.id == "deepseek"
    assert ident.family == "qwen" and ident.lineage_countries == ("CN",)
    assert ident.decided_by == "tokenizer-on-base"


def test_remote_code_model_identified_without_running_it(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "glm",
        config={
            "model_type": "chatglm",
            "architectures": ["ChatGLMModel"],
            "padded_vocab_size": 65024,
            "auto_map": {"AutoModel": "modeling_chatglm.ChatGLMForConditionalGeneration"},
        },
    )
    (d / "modeling_chatglm.py").write_text("raise SystemExit('executed!')\n", encoding="utf-8")
    ident = r.resolve_model_dir(d)
    assert ident.family == "glm" and ident.country == "CN" and ident.confidence.value == "low"


def test_unknown_uploader_keeps_family_lineage(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path, "someone__mimo-tune", config={"model_type": "mimo", "vocab_size": 151680}
    )
    ident = r.resolve_model_dir(d)
    assert ident.publisher is None and ident.family == "mimo" and ident.lineage_countries == ("CN",)


def test_empty_and_malformed_folders_are_unknown(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(tmp_path, "junk", card="---\n: [unclosed\n---\n")
    (d / "config.json").write_text("{not json", encoding="utf-8")
    ident = r.resolve_model_dir(d)
    assert not ident.known and ident.decided_by == "unknown"


def test_gguf_from_generated_file(r: Resolver, tmp_path: Path) -> None:
    path = gguf_file(
        tmp_path / "m.gguf", "qwen2", "Qwen2.5 7B Instruct", "qwen2", ["a", "<|im_start|>"]
    )
    # a caller with only a path: the resolver has the GGUF inspector read the file
    ident = r.resolve_artifact(ArtifactInfo(Location("m.gguf"), "gguf", 0), path)
    assert ident.family == "qwen" and ident.country == "CN"


def test_gguf_special_tokens_come_from_token_types(r: Resolver, tmp_path: Path) -> None:
    """Only tokens the file types as control count as special: the same strings typed normal
    say nothing (one GGUF reader, the inspector, decides)."""
    toks = ["a", "b", "<|im_user|>", "<|im_middle|>"]
    typed = gguf_file(tmp_path / "c.gguf", "llama", "x", None, toks, types=[1, 1, 3, 3])
    plain = gguf_file(tmp_path / "n.gguf", "llama", "x", None, toks, types=[1, 1, 1, 1])
    empty = ArtifactInfo(Location("x.gguf"), "gguf", 0)
    control = r.resolve_artifact(empty, typed)
    normal = r.resolve_artifact(empty, plain)
    assert control.publisher is not None and control.publisher.id == "moonshot"
    assert any("special token <|im_user|>" in e.detail for e in control.evidence)
    assert normal.country != "CN" and not any("special token" in e.detail for e in normal.evidence)


def test_gguf_base_model_keys_give_lineage(r: Resolver) -> None:
    meta = {
        "general.architecture": "llama",
        "general.name": "Support Bot",
        "general.base_model.count": 1,
        "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
        "tokenizer.ggml.pre": "llama-bpe",
        "tokenizer.ggml.tokens.count": 128256,
    }
    ident = r.resolve_artifact(ArtifactInfo(Location("x.gguf"), "gguf", 1, metadata=meta))
    assert ident.lineage[0].base == "meta-llama/Llama-3.1-8B-Instruct"
    assert ident.lineage_countries == ("US",) and ident.publisher is None


def test_damaged_gguf_fails_soft(r: Resolver, tmp_path: Path) -> None:
    path = gguf_file(tmp_path / "d.gguf", "gpt2", "gpt-2", "gpt-2", ["x" * 5, "é" * 3, "tail"])
    raw = path.read_bytes().replace("é".encode(), "\ufffd".encode())  # a lossy UTF-8 round trip
    path.write_bytes(raw)
    info = ArtifactInfo(Location("d.gguf"), "gguf", len(raw))
    ident = r.resolve_artifact(info, path)
    assert ident.family == "gpt2"  # keys before the damage still count
    assert any(e.rule == "damaged" and "d.gguf" not in e.detail for e in ident.evidence)
    truncated = tmp_path / "t.gguf"
    truncated.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert not r.resolve_artifact(ArtifactInfo(Location("t.gguf"), "gguf", 8), truncated).known
    notgguf = tmp_path / "n.gguf"
    notgguf.write_bytes(b"\x00" * 64)
    odd = r.resolve_artifact(ArtifactInfo(Location("n.gguf"), "gguf", 64), notgguf)
    assert not odd.known and "not a GGUF file" in odd.evidence[-1].detail


@pytest.mark.parametrize(
    ("template", "family", "country"),
    [
        ("{{ '<|im_user|>user<|im_middle|>' }}", "kimi", "CN"),
        ("[gMASK]<sop>{% for m in messages %}<|user|>{% endfor %}", "glm", "CN"),
        ("{{ bos_token }}<|start_header_id|>{{ m }}<|end_header_id|><|eot_id|>", "llama", "US"),
        ("{{ '[SYSTEM_PROMPT]' }}{{ '[INST]' }}", "mistral", "FR"),
    ],
)
def test_chat_template_markers(r: Resolver, template: str, family: str, country: str) -> None:
    info = ArtifactInfo(
        Location("t.jinja"),
        "chat-template",
        len(template),
        metadata={"tokenizer.chat_template": template},
    )
    ident = r.resolve_artifact(info)
    assert (ident.family, ident.country) == (family, country)
