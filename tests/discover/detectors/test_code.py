"""Source code by tree-sitter: JS/TS, Go, Java, Kotlin, C#, Rust; constructs and hard negatives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeldeps.discover.detectors.code import CodeDetector
from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.model import ModelReference


def found(rel: str, text: str) -> list[ModelReference]:
    refs = CodeDetector().detect(SourceFile(rel, text, text.encode()))
    return [r for r in refs if isinstance(r, ModelReference)]


def refs(rel: str, text: str) -> list[tuple[str, str, int | None]]:
    return sorted((r.kind.value, r.value, r.location.line) for r in found(rel, text))


def test_sdk_calls_base_urls_and_egress() -> None:
    text = (
        'import OpenAI from "openai";\n'
        'const client = new OpenAI({ baseURL: "https://api.deepseek.com" });\n'
        "await client.chat.completions.create({\n"
        '  model: "deepseek-chat",\n'
        "  messages: [],\n"
        "});\n"
        'await anthropic.messages.create({ model: "claude-3-7-sonnet-20250219" });\n'
        'const r = await fetch("https://generativelanguage.googleapis.com/v1beta/models");\n'
    )
    assert refs("a.ts", text) == sorted(
        [
            ("endpoint", "https://api.deepseek.com", 2),
            ("api_model", "deepseek-chat", 4),
            ("api_model", "claude-3-7-sonnet-20250219", 7),
            ("endpoint", "https://generativelanguage.googleapis.com/v1beta/models", 8),
        ]
    )
    egress = {r.value: r.context.get("egress") for r in found("a.ts", text)}
    assert egress["https://api.deepseek.com"] == "client"
    assert egress["https://generativelanguage.googleapis.com/v1beta/models"] == "request"


def test_provider_registry_ids_tables_unions_enums_switch_and_fallbacks() -> None:
    text = (
        'export type ChatModel = "gpt-4o" | "claude-3-7-sonnet-latest" | (string & {});\n'
        'export const MODELS = ["gpt-4o-mini", "o3-mini", "Not a model"] as const;\n'
        'const DEFAULT_MODEL: string = "gemini-2.0-flash";\n'
        'const SUPPORT_MODEL = process.env.SUPPORT_MODEL || "claude-3-5-haiku-20241022";\n'
        "const MODEL_LIMITS: Record<string, number> = {\n"
        '  "acme-large-2": 32000,\n'
        '  "gpt-4.1": 1047576,\n'
        "};\n"
        'if (id === "openai:gpt-4o-mini") {}\n'
        'switch (m) { case "grok-3": break; case "contoso-7b": break }\n'
        'enum Tier { Fast = "gpt-4o-mini-2024-07-18" }\n'
        'generateText({ model: registry.languageModel("anthropic:claude-sonnet-4-5") });\n'
    )
    assert refs("m.ts", text) == sorted(
        [
            ("api_model", "gpt-4o", 1),
            ("api_model", "claude-3-7-sonnet-latest", 1),
            ("api_model", "gpt-4o-mini", 2),
            ("api_model", "o3-mini", 2),
            ("api_model", "gemini-2.0-flash", 3),
            ("api_model", "claude-3-5-haiku-20241022", 4),
            ("api_model", "acme-large-2", 6),  # a sibling key of a known model in a limits table
            ("api_model", "gpt-4.1", 7),
            ("api_model", "gpt-4o-mini", 9),
            ("api_model", "grok-3", 10),
            ("api_model", "contoso-7b", 10),  # another case of the same switch
            ("api_model", "gpt-4o-mini-2024-07-18", 11),
            ("api_model", "claude-sonnet-4-5", 12),
        ]
    )


def test_transformers_js_ollama_and_langchain() -> None:
    text = (
        'import { pipeline, AutoModel } from "@huggingface/transformers";\n'
        'await ollama.chat({ model: "llama3.1", messages: [] });\n'
        'new ChatOllama({ model: "qwen2.5:7b", baseUrl: "http://localhost:11434" });\n'
        'new ChatOpenAI({ modelName: "gpt-4o-mini", temperature: 0 });\n'
        'await pipeline("feature-extraction", "Xenova/all-MiniLM-L6-v2");\n'
        'await pipeline("sentiment-analysis");\n'
        'await AutoModel.from_pretrained("acme/tiny-encoder");\n'
    )
    assert refs("b.js", text) == sorted(
        [
            ("ollama_model", "qwen2.5:7b", 3),
            ("api_model", "gpt-4o-mini", 4),
            ("hub_model", "Xenova/all-MiniLM-L6-v2", 5),
            ("hub_model", "acme/tiny-encoder", 7),
            ("ollama_model", "llama3.1", 2),
        ]
    )


def test_commented_out_settings_are_in_comment() -> None:
    text = "// OPENAI_BASE_URL=https://api.deepseek.com/v1\n// const model = 'gpt-4o'\nlet x = 1\n"
    got = found("c.ts", text)
    assert {(r.value, r.location.line, r.context.get("in_comment")) for r in got} == {
        ("https://api.deepseek.com/v1", 1, True),
        ("gpt-4o", 2, True),
    }


def test_hard_negatives() -> None:
    text = (
        "// Pick a model that fits the budget; larger models answer better.\n"
        'const s = `use model: "gpt-4" ${x}`;\n'
        'const re = /model: "gpt-5"/g;\n'
        'const User = mongoose.model("User", schema);\n'
        'const cfg = { displayName: "GPT-4o", tokenizer: "cl100k_base" };\n'
        'const docs = "https://platform.openai.com/docs";\n'
        'const local = new OpenAI({ baseURL: "http://localhost:1234/v1" });\n'
        'const modelName = "Conversation";\n'
        'console.log("switching to gpt-4o");\n'
        'if (model.startsWith("claude-3")) {}\n'
        'const EXCLUDED_KEYWORDS = ["dall-e", "whisper", "tts"];\n'
        'const image = "vllm/vllm-openai:v0.8.3";\n'
        'const name = "llama-3.1-8b-instruct-fp8-l4";\n'
        'const ct = "application/json";\n'
    )
    assert refs("n.tsx", text) == []


GO = """package main

const DefaultModel = "gpt-4o-mini"

var models = []string{"claude-3-5-haiku-latest", "acme-chat-7b"}

func main() {
	client := openai.NewClient(option.WithBaseURL("https://api.deepseek.com/v1"))
	client.Chat(ctx, Params{Model: "deepseek-chat"})
	switch name {
	case "glm-4-air":
	}
	fmt.Println("using gpt-4o")
}
"""


def test_go() -> None:
    assert refs("main.go", GO) == sorted(
        [
            ("api_model", "gpt-4o-mini", 3),
            ("api_model", "claude-3-5-haiku-latest", 5),
            ("api_model", "acme-chat-7b", 5),
            ("endpoint", "https://api.deepseek.com/v1", 8),
            ("api_model", "deepseek-chat", 9),
            ("api_model", "glm-4-air", 11),
        ]
    )


def test_java_kotlin_csharp_rust() -> None:
    java = (
        "class A {\n"
        '  static final String MODEL = "gpt-4o";\n'
        '  String[] models = {"claude-3-opus-20240229", "gemini-1.5-pro"};\n'
        '  void f() { if ("qwen-max".equals(m)) {} log.info("model gpt-4o ready"); }\n'
        "}\n"
    )
    assert [v for _, v, _ in refs("A.java", java)] == sorted(
        ["gpt-4o", "claude-3-opus-20240229", "gemini-1.5-pro", "qwen-max"]
    )
    kotlin = 'const val MODEL = "gpt-4o-mini"\nval r = client.chat(model = "deepseek-reasoner")\n'
    assert [v for _, v, _ in refs("a.kt", kotlin)] == ["deepseek-reasoner", "gpt-4o-mini"]
    csharp = (
        'class A { const string Model = "gpt-4o";\n'
        'void F() { new Uri("https://api.anthropic.com/v1"); } }\n'
    )
    assert refs("a.cs", csharp) == [
        ("api_model", "gpt-4o", 1),
        ("endpoint", "https://api.anthropic.com/v1", 2),
    ]
    rust = 'const MODEL: &str = "gpt-4o";\nfn main() { println!("use gpt-4o"); }\n'
    assert refs("a.rs", rust) == [("api_model", "gpt-4o", 1)]


def test_minified_and_declaration_files_are_not_accepted() -> None:
    det = CodeDetector()
    assert det.accepts("src/app.tsx") and det.accepts("cmd/main.go") and det.accepts("a/B.kt")
    assert not det.accepts("dist/app.min.js")
    assert not det.accepts("types/index.d.ts")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    for rel in ("x.ts", "x.go", "x.java", "x.rs"):
        refs(rel, text)
