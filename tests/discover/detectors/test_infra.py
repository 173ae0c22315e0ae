"""Infrastructure files: serving and download commands, env keys, request bodies, negatives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldeps.discover.detectors.infra import InfraDetector
from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.model import ModelReference


def refs(rel: str, text: str) -> list[tuple[str, str, int | None]]:
    found = InfraDetector().detect(SourceFile(rel, text, text.encode()))
    return sorted(
        (r.kind.value, r.value, r.location.line) for r in found if isinstance(r, ModelReference)
    )


def test_shell_serving_and_download_commands() -> None:
    text = (
        "vllm serve Qwen/Qwen2.5-0.5B-Instruct --port 8001\n"
        "ollama pull llama3.1:8b && ollama run qwen2.5\n"
        "llama-server -hf bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M\n"
        "hf download openai/gpt-oss-20b\n"
        "huggingface-cli download tatsu-lab/alpaca --repo-type dataset\n"
        "text-generation-launcher --model-id bigscience/bloom-560m\n"
        "python -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V2-Lite\n"
        "llama-cli -m ./models/q.gguf -p hi\n"
    )
    assert refs("serve.sh", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-0.5B-Instruct", 1),
            ("ollama_model", "llama3.1:8b", 2),
            ("ollama_model", "qwen2.5", 2),
            ("hub_model", "bartowski/Llama-3.2-3B-Instruct-GGUF", 3),
            ("hub_model", "openai/gpt-oss-20b", 4),
            ("hub_model", "bigscience/bloom-560m", 6),
            ("hub_model", "deepseek-ai/DeepSeek-V2-Lite", 7),
            ("local_artifact", "./models/q.gguf", 8),
        ]
    )


def test_shell_hard_negatives() -> None:
    text = (
        "# vllm serve Qwen/Qwen2.5-7B\n"
        'vllm serve "$MODEL"\n'
        "python -m pytest tests -m slow\n"
        "python train.py --model resnet50 --output_dir out\n"
        "ollama create support-bot -f Modelfile\nollama run support-bot\n"
        "vllm serve x/y --served-model-name gpt-4\n"
        "curl http://localhost:8000/v1/chat/completions\n"
    )
    assert refs("run.sh", text) == [("hub_model", "x/y", 7)]


def test_dockerfile_env_cmd_and_urls() -> None:
    text = (
        "FROM vllm/vllm-openai:v0.6.0\n"
        "ENV MODEL_ID=Qwen/Qwen2.5-7B-Instruct\n"
        "ARG EMBED_MODEL BAAI/bge-m3\n"
        'ENV OPENAI_BASE_URL="https://api.deepseek.com/v1"\n'
        'CMD ["python", "-m", "vllm.entrypoints.openai.api_server", "--model", "acme/m"]\n'
    )
    assert refs("Dockerfile", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-7B-Instruct", 2),
            ("hub_model", "BAAI/bge-m3", 3),
            ("endpoint", "https://api.deepseek.com/v1", 4),
            ("hub_model", "acme/m", 5),
        ]
    )


def test_compose_and_kubernetes_commands_leave_env_to_config() -> None:
    text = (
        "services:\n  vllm:\n    image: vllm/vllm-openai\n"
        "    command: --model ${MODEL:-Qwen/Qwen2.5-1.5B-Instruct} --port 8000\n"
        "    environment:\n      - MODEL_ID=x/y\n"
        "  job:\n    args:\n      - --model-id\n      - HuggingFaceH4/zephyr-7b-beta\n"
        '    args2: ["vllm serve microsoft/Phi-3.5-mini-instruct --dtype half"]\n'
    )
    assert refs("docker-compose.yml", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-1.5B-Instruct", 4),
            ("hub_model", "HuggingFaceH4/zephyr-7b-beta", 10),
            ("hub_model", "microsoft/Phi-3.5-mini-instruct", 11),
        ]
    )


def test_helm_template_default_and_makefile_variable() -> None:
    helm = (
        '  args: ["--model", {{ .Values.m | default "Qwen/Qwen2-7B" | quote }},'
        ' "{{ .Values.x }}"]\n'
    )
    assert refs("templates/d.yaml", helm) == [("hub_model", "Qwen/Qwen2-7B", 1)]
    make = "GGUF := models/q4.gguf\nMODEL ?= acme/name\nrun:\n\tllama-server -m $(GGUF)\n"
    assert refs("Makefile", make) == sorted(
        # reported where the value is written: the variable's assignment
        [("local_artifact", "models/q4.gguf", 1), ("hub_model", "acme/name", 2)]
    )


def test_http_request_bodies_know_their_server() -> None:
    text = (
        "### cloud\nPOST https://api.deepseek.com/chat/completions\n\n"
        '{"model": "deepseek-reasoner"}\n\n'
        "### local\nPOST http://localhost:11434/api/chat\n\n"
        '{"model": "qwen2.5-coder:7b"}\n'
    )
    got = InfraDetector().detect(SourceFile("r.http", text, text.encode()))
    kinds = {r.value: r.kind.value for r in got if isinstance(r, ModelReference)}
    assert kinds == {
        "https://api.deepseek.com/chat/completions": "endpoint",
        "deepseek-reasoner": "api_model",
        "qwen2.5-coder:7b": "ollama_model",
    }


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["a.sh", "Dockerfile", "a.yaml", "x.http"]))
def test_arbitrary_text_never_crashes(text: str, rel: str) -> None:
    refs(rel, text)
