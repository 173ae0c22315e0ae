"""Findings people act on: one per (rule, model) with every location, MD401 only where weights
are downloaded, MD501 only where code really sends requests, to every host the KB lists."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from modeldeps.assess.policy import Policy
from modeldeps.model import Location, ModelReference, RefKind
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from tests.assess.helpers import of, policy, ref, result, run

QWEN = "Qwen/Qwen2.5-7B-Instruct"


def _at(r: ModelReference, path: str, line: int) -> ModelReference:
    return replace(r, location=Location(path, line))


# --- one finding per (rule, model) -----------------------------------------------------------


def test_one_md102_and_one_md205_per_model_with_every_location() -> None:
    refs = [
        _at(
            ref(QWEN, trust_remote_code=True, loader="transformers.AutoModel.from_pretrained"), p, n
        )
        for p, n in [("a.py", 3), ("a.py", 9), ("b/c.py", 1)]
    ]
    findings = run(result(*refs))
    for rule in ("MD102", "MD205", "MD401"):
        (f,) = of(findings, rule)
        assert [str(loc) for loc in f.locations] == ["a.py:3", "a.py:9", "b/c.py:1"], rule
        assert f.location == f.locations[0]


def test_the_fingerprint_follows_rule_and_model_not_places() -> None:
    one = run(result(_at(ref(QWEN), "a.py", 3)))
    two = run(result(_at(ref(QWEN), "a.py", 3), _at(ref(QWEN), "z.py", 7)))
    moved = run(result(_at(ref(QWEN), "b.py", 30)))
    fps = [{f.rule_id: f.fingerprint for f in fs} for fs in (one, two, moved)]
    assert fps[0]["MD102"] == fps[1]["MD102"] == fps[2]["MD102"]


def test_suppression_applies_per_location(tmp_path: Path) -> None:
    refs = (_at(ref(QWEN), "src/app.py", 1), _at(ref(QWEN), "tests/t.py", 1))
    pol = policy(ignore=[{"rule": "MD102", "path": "tests/**", "reason": "test fixtures"}])
    (f,) = of(run(result(*refs), pol), "MD102")
    assert [loc.path for loc in f.locations] == ["src/app.py"]
    every = policy(ignore=[{"rule": "MD102", "path": "**/*.py", "reason": "reviewed"}])
    assert not of(run(result(*refs), every), "MD102")


# --- MD401 only where weights are downloaded ---------------------------------------------------


def test_md401_only_for_references_that_download_weights() -> None:
    downloads = [
        ref(QWEN, loader="transformers.AutoModelForCausalLM.from_pretrained"),
        ref("meta-llama/Llama-3.1-8B-Instruct", loader="vllm serve", path="serve.sh"),
        ref("mistralai/Mistral-7B-v0.1", key="model_name_or_path", path="train.yaml"),
        ref("BAAI/bge-m3", loader="llama_index.embeddings.huggingface.HuggingFaceEmbedding",
            provider="huggingface"),
    ]  # fmt: skip
    remote = [
        ref("meta-llama/Llama-3-70b-chat-hf", loader="together.Together.chat.completions.create",
            provider="together"),
        ref("meta-llama/Llama-3.3-70B-Instruct", provider="together_ai", base_url="https://x.ai"),
        ref("HuggingFaceH4/zephyr-7b-beta", loader="huggingface_hub.InferenceClient",
            provider="huggingface"),
        ref("mistralai/Mixtral-8x7B-Instruct-v0.1",
            loader="langchain_huggingface.HuggingFaceEndpoint", provider="huggingface"),
        ref("deepseek-ai/DeepSeek-V3", egress="client", key="model"),
    ]  # fmt: skip
    refs = [_at(r, r.location.path, i) for i, r in enumerate([*downloads, *remote], start=1)]
    flagged = {f.subject for f in of(run(result(*refs)), "MD401")}
    assert flagged == {r.value for r in downloads}


# --- MD501 where code really sends requests ----------------------------------------------------

NO_WATCH_MODELS = Policy()


def _endpoint(url: str, path: str = "app.py", line: int = 1, **ctx: str) -> ModelReference:
    return ModelReference(RefKind.ENDPOINT, url, Location(path, line), "python", ctx)


def test_md501_needs_a_request_not_a_mention() -> None:
    sent = _endpoint("https://api.deepseek.com/v1", egress="client", provider="deepseek")
    listed = _endpoint("https://api.deepseek.com/v1", provider="deepseek")  # a constant, unused
    names = [ref(m, RefKind.API_MODEL, line=i) for i, m in enumerate(["deepseek-chat", "glm-4"])]
    assert of(run(result(sent)), "MD501")
    assert not of(run(result(listed, *names)), "MD501")


def test_md501_on_a_provider_sdk_call() -> None:
    # The provider as the Python detector records it for dashscope.Generation.call today.
    dashscope = ref("qwen-max", RefKind.API_MODEL, egress="sdk", provider="alibaba")
    (f,) = of(run(result(dashscope)), "MD501")
    assert "Alibaba" in f.message and "qwen-max" in f.message


def test_md501_for_every_host_the_kb_lists() -> None:
    # Hosts the detectors' vocabulary does not name, but the knowledge base does.
    urls = ["https://api.sensenova.cn/v1/llm/chat-completions", "https://ark.cn-beijing.volces.com"]
    refs = [_endpoint(u, line=i, egress="request") for i, u in enumerate(urls, start=1)]
    found = of(run(result(*refs)), "MD501")
    assert {f.subject.split(":")[0] for f in found} == {"sensetime", "bytedance"}


def test_md501_is_one_finding_per_destination_with_every_location() -> None:
    refs = [
        _endpoint("https://api.deepseek.com/v1", "a.py", 2, egress="client"),
        _endpoint("https://api.deepseek.com", "b.ts", 5, egress="client"),
        replace(
            ref("deepseek-chat", RefKind.API_MODEL, path="a.py", line=4),
            context={"base_url": "https://api.deepseek.com/v1", "egress": "client"},
        ),
    ]
    (f,) = of(run(result(*refs)), "MD501")
    assert [str(loc) for loc in f.locations] == ["a.py:2", "a.py:4", "b.ts:5"]
    assert "deepseek-chat" in f.message


def test_md501_ignores_local_and_unknown_hosts() -> None:
    refs = [
        _endpoint("http://localhost:8000/v1", egress="client"),
        _endpoint("https://llm.internal.example.com/v1", egress="request"),
    ]
    assert not of(run(result(*refs)), "MD501")


# --- end to end over Python sources, with what the detectors record today ---------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_end_to_end_a_client_is_egress_and_a_list_is_not(tmp_path: Path) -> None:
    opts = ScanOptions(use_cache=False, inspect_artifacts=False)
    client = _write(
        tmp_path / "client",
        {
            "llm.py": "from openai import OpenAI\n"
            'client = OpenAI(base_url="https://api.deepseek.com/v1")\n'
            'client.chat.completions.create(model="deepseek-chat", messages=[])\n'
        },
    )
    listing = _write(
        tmp_path / "listing",
        {"models.py": 'SUPPORTED_MODELS = ["deepseek-chat", "deepseek-reasoner", "glm-4-plus"]\n'},
    )
    (f,) = of(list(scan([client], opts).findings), "MD501")
    assert "api.deepseek.com" in f.message
    assert not of(list(scan([listing], opts).findings), "MD501")


def test_end_to_end_repeated_references_make_one_finding(tmp_path: Path) -> None:
    lines = "".join(
        f'm{i} = AutoModel.from_pretrained("{QWEN}", trust_remote_code=True)\n' for i in range(6)
    )
    root = _write(tmp_path / "p", {"a.py": "from transformers import AutoModel\n" + lines})
    found = scan([root], ScanOptions(use_cache=False)).findings
    for rule in ("MD102", "MD205", "MD401"):
        (f,) = of(list(found), rule)
        assert len(f.locations) == 6
