"""Configuration files: model-ish keys, nested keys, env defaults, Helm, and hard negatives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldeps.discover.detectors.config_files import ConfigFileDetector
from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.model import ModelReference


def refs(rel: str, text: str) -> list[tuple[str, str, int | None]]:
    found = ConfigFileDetector().detect(SourceFile(rel, text, text.encode()))
    return sorted(
        (r.kind.value, r.value, r.location.line) for r in found if isinstance(r, ModelReference)
    )


def test_yaml_keys_unquoted_nested_and_lists() -> None:
    text = (
        "base_model: Qwen/Qwen2.5-7B\n"
        "llm:\n  provider: ollama\n  model: qwen2.5:7b\n"
        "embedder:\n  model: {name: BAAI/bge-m3}\n"
        "models: [gpt-4o, claude-3-5-haiku-latest]\n"
    )
    assert refs("c.yaml", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-7B", 1),
            ("ollama_model", "qwen2.5:7b", 4),
            ("hub_model", "BAAI/bge-m3", 6),
            ("api_model", "gpt-4o", 7),
            ("api_model", "claude-3-5-haiku-latest", 7),
        ]
    )


def test_yaml_hard_negatives() -> None:
    text = (
        "hub_model_id: me/finetuned\noutput_dir: ./out\ndataset: tatsu-lab/alpaca\n"
        "image: vllm/vllm-openai:latest\nmodel: ${MODEL_NAME}\nchat_template: chatml\n"
        "display_name: gpt-4o\napi_base: http://localhost:8000/v1\nmodel: GPT 4o mini\n"
        "datasets:\n  - path: org/data\n    model: x/y\n"
    )
    assert refs("c.yaml", text) == []


def test_env_default_and_kubernetes_env_and_compose_list() -> None:
    text = (
        "model: ${MODEL:-Qwen/Qwen2.5-1.5B}\n"
        "env:\n  - name: MODEL_ID\n    value: mistralai/Mistral-7B-v0.1\n"
        "environment:\n  - OPENAI_MODEL=gpt-4o-mini\n  - OPENAI_BASE_URL=https://api.deepseek.com\n"
    )
    assert refs("docker-compose.yml", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-1.5B", 1),
            ("hub_model", "mistralai/Mistral-7B-v0.1", 4),
            ("api_model", "gpt-4o-mini", 6),
            ("endpoint", "https://api.deepseek.com", 7),
        ]
    )


def test_litellm_alias_is_not_a_model_but_its_params_are() -> None:
    text = "model_list:\n  - model_name: gpt-4\n    litellm_params:\n      model: azure/gpt-4o\n"
    assert refs("proxy.yaml", text) == [("api_model", "gpt-4o", 4)]


def test_helm_template_falls_back_to_line_scan() -> None:
    text = (
        "{{- if .Values.on }}\nspec:\n  env:\n    - name: MODEL\n"
        "      value: {{ .Values.model | quote }}\n"
        '  model: {{ .Values.model | default "Qwen/Qwen2-7B" }}\n{{- end }}\n'
    )
    assert refs("templates/deploy.yaml", text) == [("hub_model", "Qwen/Qwen2-7B", 6)]


def test_json_with_lines_comments_and_nesting() -> None:
    text = (
        '{\n  // judge\n  "judge_model": "gpt-4o",\n'
        '  "llm": {"model": {"id": "anthropic/claude-3-haiku"}},\n'
        '  "baseURL": "https://openrouter.ai/api/v1",\n  "display_name": "claude-3-opus",\n'
        '  "tokenizer_encoding": "cl100k_base"\n}\n'
    )
    assert refs("settings.jsonc", text) == sorted(
        [
            ("api_model", "gpt-4o", 3),
            ("api_model", "claude-3-haiku", 4),
            ("endpoint", "https://openrouter.ai/api/v1", 5),
        ]
    )


def test_toml_ini_and_dotenv() -> None:
    toml = '[llm]\nname = "x"\nmodel = "gpt-4o"\n[emb]\nmodels = ["BAAI/bge-m3", "o3-mini"]\n'
    assert refs("app.toml", toml) == sorted(
        [
            ("api_model", "gpt-4o", 3),
            ("hub_model", "BAAI/bge-m3", 5),
            ("api_model", "o3-mini", 5),
        ]
    )
    ini = "[gen]\nllm = qwen-max\n; model = gpt-4\napi_base = https://api.moonshot.cn/v1\n"
    assert refs("setup.cfg", ini) == sorted(
        [
            ("api_model", "qwen-max", 2),
            ("endpoint", "https://api.moonshot.cn/v1", 4),
        ]
    )
    env = "OPENAI_MODEL=gpt-4o # main\nMODEL_NAME=\nOLLAMA_MODEL=llama3.1\nHF_TOKEN=x\n"
    assert refs(".env.local", env) == sorted(
        [
            ("api_model", "gpt-4o", 1),
            ("ollama_model", "llama3.1", 3),
        ]
    )


def test_lm_eval_model_args_and_tokenizer_keys() -> None:
    text = "model_args: pretrained=Qwen/Qwen2.5-7B,dtype=bfloat16\ntokenizer_config: acme/tok\n"
    assert refs("eval.yaml", text) == sorted(
        [
            ("hub_model", "Qwen/Qwen2.5-7B", 1),
            ("hub_model", "acme/tok", 2),
        ]
    )


def test_provider_prefixes() -> None:
    text = (
        "a: openai/whisper-large-v3\nmodel: anthropic/claude-3-5-sonnet-latest\n"
        "llm: openrouter/meta-llama/llama-3.1-70b-instruct\nmodel_id: google/gemma-2-9b-it\n"
        "tokenizer: cl100k_base\ntask: text-generation\n"
    )
    assert refs("p.yaml", text) == sorted(
        [
            ("hub_model", "openai/whisper-large-v3", 1),
            ("api_model", "claude-3-5-sonnet-latest", 2),
            ("hub_model", "meta-llama/llama-3.1-70b-instruct", 3),
            ("hub_model", "google/gemma-2-9b-it", 4),
        ]
    )


def test_malformed_files_do_not_raise() -> None:
    assert refs("bad.json", '{"model": "gpt-4o", ') == []
    assert refs("bad.toml", "model = [unclosed\n") == []
    assert refs("bad.yaml", "model: [gpt-4o\n  : :\n") == []
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    assert refs("deep.json", deep) == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["a.yaml", "a.json", "a.toml", "a.ini", ".env"]))
def test_arbitrary_text_never_crashes(text: str, rel: str) -> None:
    refs(rel, text)
