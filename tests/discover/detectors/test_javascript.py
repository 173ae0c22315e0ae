"""JavaScript/TypeScript: SDK calls, AI SDK providers, LangChain.js, ollama-js, transformers.js."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.javascript import JavaScriptDetector, tokenize
from modeldeps.model import ModelReference


def refs(rel: str, text: str) -> list[tuple[str, str, int | None]]:
    found = JavaScriptDetector().detect(SourceFile(rel, text, text.encode()))
    return sorted(
        (r.kind.value, r.value, r.location.line) for r in found if isinstance(r, ModelReference)
    )


def test_sdk_calls_and_base_urls() -> None:
    text = (
        'import OpenAI from "openai";\n'
        'const client = new OpenAI({ baseURL: "https://api.deepseek.com" });\n'
        "await client.chat.completions.create({\n"
        '  model: "deepseek-chat",\n'
        "  messages: [],\n"
        "});\n"
        'await anthropic.messages.create({ model: "claude-3-7-sonnet-20250219" });\n'
        'await ai.models.generateContent({ model: "gemini-2.0-flash" });\n'
    )
    assert refs("a.ts", text) == sorted(
        [
            ("endpoint", "https://api.deepseek.com", 2),
            ("api_model", "deepseek-chat", 4),
            ("api_model", "claude-3-7-sonnet-20250219", 7),
            ("api_model", "gemini-2.0-flash", 8),
        ]
    )


def test_vercel_ai_sdk_providers() -> None:
    text = (
        'import { openai } from "@ai-sdk/openai";\n'
        'import { anthropic as claude } from "@ai-sdk/anthropic";\n'
        'import { createOpenAI } from "@ai-sdk/openai";\n'
        'const together = createOpenAI({ baseURL: "https://api.together.xyz/v1" });\n'
        'generateText({ model: openai("gpt-4o"), prompt });\n'
        'const m = claude("claude-3-5-haiku-latest");\n'
        'const e = openai.embedding("text-embedding-3-small");\n'
        'const l = together("meta-llama/Llama-3.3-70B-Instruct-Turbo");\n'
    )
    assert refs("p.ts", text) == sorted(
        [
            ("endpoint", "https://api.together.xyz/v1", 4),
            ("api_model", "gpt-4o", 5),
            ("api_model", "claude-3-5-haiku-latest", 6),
            ("api_model", "text-embedding-3-small", 7),
            ("hub_model", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 8),
        ]
    )


def test_langchain_ollama_and_transformers_js() -> None:
    text = (
        'import { pipeline, AutoModel } from "@huggingface/transformers";\n'
        'await ollama.chat({ model: "llama3.1", messages: [] });\n'
        'new ChatOllama({ model: "qwen2.5:7b", baseUrl: "http://localhost:11434" });\n'
        'new ChatOpenAI({ modelName: "gpt-4o-mini", temperature: 0 });\n'
        'await pipeline("feature-extraction", "Xenova/all-MiniLM-L6-v2");\n'
        'await pipeline("sentiment-analysis");\n'
        'await AutoModel.from_pretrained("onnx-community/Qwen2.5-0.5B-Instruct");\n'
    )
    assert refs("b.js", text) == sorted(
        [
            ("ollama_model", "llama3.1", 2),
            ("ollama_model", "qwen2.5:7b", 3),
            ("api_model", "gpt-4o-mini", 4),
            ("hub_model", "Xenova/all-MiniLM-L6-v2", 5),
            ("hub_model", "onnx-community/Qwen2.5-0.5B-Instruct", 7),
        ]
    )


def test_model_lists_unions_constants_and_env_fallbacks() -> None:
    text = (
        'export type ChatModel = "gpt-4o" | "claude-3-7-sonnet-latest" | (string & {});\n'
        'export const MODELS = ["gpt-4o-mini", "o3-mini", "Not a model"] as const;\n'
        'const DEFAULT_MODEL: string = "gemini-2.0-flash";\n'
        'const SUPPORT_MODEL = process.env.SUPPORT_MODEL || "claude-3-5-haiku-20241022";\n'
        'const AVAILABLE_MODELS = [{ id: "mistral-large-latest", name: "Mistral Large" }];\n'
    )
    assert refs("m.ts", text) == sorted(
        [
            ("api_model", "gpt-4o", 1),
            ("api_model", "claude-3-7-sonnet-latest", 1),
            ("api_model", "gpt-4o-mini", 2),
            ("api_model", "o3-mini", 2),
            ("api_model", "gemini-2.0-flash", 3),
            ("api_model", "claude-3-5-haiku-20241022", 4),
            ("api_model", "mistral-large-latest", 5),
        ]
    )


def test_hard_negatives() -> None:
    text = (
        '// model: "gpt-3.5-turbo" in a comment\n'
        '/* { model: "claude-2" } */\n'
        'const s = `use model: "gpt-4" ${x}`;\n'
        'const re = /model: "gpt-5"/g;\n'
        'const User = mongoose.model("User", schema);\n'
        'const cfg = { displayName: "claude-3-opus", tokenizer: "cl100k_base" };\n'
        'const labels = { fast: "gpt-4o" };\n'
        'const docs = "https://platform.openai.com/docs";\n'
        'const local = new OpenAI({ baseURL: "http://localhost:1234/v1" });\n'
        'const modelName = "Conversation";\n'
    )
    assert refs("n.tsx", text) == []


def test_tokenizer_skips_comments_and_keeps_plain_templates() -> None:
    toks = tokenize('a(/* x */ "s", `t`, `u${v}`) // "z"\n')
    assert [t.text for t in toks if t.kind == "str"] == ["s", "t"]
    assert any(t.kind == "tpl" for t in toks)


def test_minified_and_declaration_files_are_not_accepted() -> None:
    det = JavaScriptDetector()
    assert det.accepts("src/app.tsx")
    assert not det.accepts("dist/app.min.js")
    assert not det.accepts("types/index.d.ts")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    refs("x.ts", text)
