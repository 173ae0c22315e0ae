"""Python source detector: loaders and clients, values through names, and hard negatives."""

from __future__ import annotations

import textwrap

import pytest

from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.python_source import PythonSourceDetector
from modeldeps.errors import DetectorError
from modeldeps.model import ModelReference, Skipped

Row = tuple[str, str, int]


def refs(code: str) -> list[ModelReference]:
    text = textwrap.dedent(code).lstrip("\n")
    found = PythonSourceDetector().detect(SourceFile("app.py", text))
    return [r for r in found if isinstance(r, ModelReference)]


def rows(code: str) -> set[Row]:
    return {(r.kind.value, r.value, r.location.line or 0) for r in refs(code)}


POSITIVES: list[tuple[str, str, set[Row]]] = [
    (
        "transformers-alias-revision",
        """
        from transformers import AutoModelForCausalLM as AM, AutoTokenizer
        tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
        model = AM.from_pretrained(
            "Qwen/Qwen2.5-7B-Instruct",
            revision="0123456789abcdef0123456789abcdef01234567",
        )
        """,
        {
            ("hub_model", "Qwen/Qwen2.5-7B-Instruct", 2),
            ("hub_model", "Qwen/Qwen2.5-7B-Instruct", 4),
        },
    ),
    (
        "pipeline-positional-and-keyword",
        """
        from transformers import pipeline
        a = pipeline("text-generation", "distilgpt2")
        b = pipeline(task="summarization", model="facebook/bart-large-cnn")
        """,
        {("hub_model", "distilgpt2", 2), ("hub_model", "facebook/bart-large-cnn", 3)},
    ),
    (
        "constants-fstring-dict-env",
        """
        import os
        from openai import OpenAI
        ORG = "Qwen"
        MODEL_ID = f"{ORG}/Qwen2.5-Coder-7B"
        MODELS = {"fast": "gpt-4o-mini"}
        CHAT = os.getenv("CHAT_MODEL", "gpt-4.1")
        client = OpenAI()
        client.chat.completions.create(model=MODELS["fast"], messages=[])
        client.chat.completions.create(model=CHAT, messages=[])
        client.chat.completions.create(model=MODEL_ID, messages=[])
        """,
        {
            # each value is reported where its string is written; the f-string where it is used
            ("api_model", "gpt-4o-mini", 5),
            ("api_model", "gpt-4.1", 6),
            ("hub_model", "Qwen/Qwen2.5-Coder-7B", 4),
        },
    ),
    (
        "class-constant-self-client-and-default",
        """
        import anthropic
        from sentence_transformers import SentenceTransformer
        class Bot:
            MODEL = "claude-3-5-haiku-20241022"
            def __init__(self):
                self.client = anthropic.Anthropic()
            def ask(self):
                return self.client.messages.create(model=self.MODEL, max_tokens=5, messages=[])
        def embedder(name="all-MiniLM-L6-v2"):
            return SentenceTransformer(name)
        """,
        {
            ("api_model", "claude-3-5-haiku-20241022", 4),
            ("hub_model", "all-MiniLM-L6-v2", 9),
            # the Anthropic SDK talks to Anthropic's own host: a derived endpoint (egress sdk)
            ("endpoint", "https://api.anthropic.com", 6),
        },
    ),
    (
        "litellm-pydantic-dspy-ollama",
        """
        import litellm, dspy, ollama
        from pydantic_ai import Agent
        litellm.completion(model="groq/llama-3.1-8b-instant", messages=[])
        Agent("openai:gpt-4o")
        dspy.LM("anthropic/claude-3-7-sonnet-latest")
        ollama.pull("qwen2.5:7b")
        ollama.chat(model="llama3.2", messages=[])
        """,
        {
            ("api_model", "llama-3.1-8b-instant", 3),
            ("api_model", "gpt-4o", 4),
            ("api_model", "claude-3-7-sonnet-latest", 5),
            ("ollama_model", "qwen2.5:7b", 6),
            ("ollama_model", "llama3.2", 7),
        },
    ),
    (
        "langchain-llamaindex",
        """
        from langchain_openai import ChatOpenAI
        from langchain_ollama import OllamaEmbeddings
        from langchain_huggingface import HuggingFaceEmbeddings
        from llama_index.llms.openai import OpenAI
        from llama_index.core import Settings
        llm = ChatOpenAI(model_name="gpt-4o")
        emb = OllamaEmbeddings(model="nomic-embed-text")
        hf = HuggingFaceEmbeddings(model_name="BAAI/bge-small-en-v1.5")
        Settings.llm = OpenAI(model="gpt-4o-mini")
        """,
        {
            ("api_model", "gpt-4o", 6),
            ("ollama_model", "nomic-embed-text", 7),
            ("hub_model", "BAAI/bge-small-en-v1.5", 8),
            ("api_model", "gpt-4o-mini", 9),
        },
    ),
    (
        "azure-bedrock-google-endpoint",
        """
        import boto3
        from openai import AzureOpenAI, OpenAI
        from google import genai
        az = AzureOpenAI(azure_deployment="gpt4o-prod", azure_endpoint="https://acme.openai.azure.com")
        rt = boto3.client("bedrock-runtime")
        rt.converse(modelId="anthropic.claude-3-5-sonnet-20240620-v1:0", messages=[])
        genai.Client().models.generate_content(model="gemini-2.0-flash", contents="hi")
        ds = OpenAI(base_url="https://api.deepseek.com")
        """,
        {
            ("api_model", "gpt4o-prod", 4),
            ("endpoint", "https://acme.openai.azure.com", 4),
            ("api_model", "anthropic.claude-3-5-sonnet-20240620-v1:0", 6),
            ("api_model", "gemini-2.0-flash", 7),
            ("endpoint", "https://generativelanguage.googleapis.com", 7),  # derived: google.genai
            ("endpoint", "https://api.deepseek.com", 8),
        },
    ),
    (
        "local-artifacts-and-runtimes",
        """
        import torch, timm, whisper
        from llama_cpp import Llama
        from vllm import LLM
        from huggingface_hub import hf_hub_download
        state = torch.load("weights/model.pt", weights_only=True)
        llm = Llama(model_path="./models/q4.gguf")
        gguf = Llama.from_pretrained(repo_id="bartowski/Llama-3.2-1B-Instruct-GGUF", filename="*")
        v = LLM(model="meta-llama/Llama-3.1-8B-Instruct", trust_remote_code=False)
        net = timm.create_model("hf_hub:timm/vit_base_patch16_224.augreg_in21k", pretrained=True)
        w = whisper.load_model("base")
        p = hf_hub_download(repo_id="TheBloke/Mistral-7B-GGUF", filename="m.gguf")
        """,
        {
            ("local_artifact", "weights/model.pt", 5),
            ("local_artifact", "./models/q4.gguf", 6),
            ("hub_model", "bartowski/Llama-3.2-1B-Instruct-GGUF", 7),
            ("hub_model", "meta-llama/Llama-3.1-8B-Instruct", 8),
            ("hub_model", "timm/vit_base_patch16_224.augreg_in21k", 9),
            ("hub_model", "base", 10),
            ("hub_model", "TheBloke/Mistral-7B-GGUF", 11),
        },
    ),
]


@pytest.mark.parametrize(
    ("code", "expected"), [p[1:] for p in POSITIVES], ids=[p[0] for p in POSITIVES]
)
def test_finds_references(code: str, expected: set[Row]) -> None:
    assert rows(code) == expected


def test_env_default_under_a_model_named_variable_of_the_environment() -> None:
    # The Python name says nothing; the environment variable's name says it is a model.
    code = """
    import os
    RERANKER = os.environ.get("RERANKER_MODEL", "BAAI/bge-reranker-v2-m3")
    TIMEOUT = os.getenv("HTTP_TIMEOUT", "org/looks-like-id")
    """
    found = refs(code)
    assert {(r.kind.value, r.value, r.location.line) for r in found} == {
        ("hub_model", "BAAI/bge-reranker-v2-m3", 2)
    }
    assert found[0].context["env"] == "RERANKER_MODEL"


NEGATIVES: list[tuple[str, str]] = [
    ("load-dataset", 'from datasets import load_dataset\nds = load_dataset("tatsu-lab/alpaca")\n'),
    (
        "push-and-save",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(path)\n"
        'm.push_to_hub("me/my-finetune")\nm.save_pretrained("out/model")\n',
    ),
    ("tiktoken", 'import tiktoken\nenc = tiktoken.get_encoding("cl100k_base")\n'),
    ("task-only", 'from transformers import pipeline\np = pipeline("sentiment-analysis")\n'),
    (
        "prose",
        '"""Uses gpt-4o via AutoModel.from_pretrained("bert-base-uncased")."""\n'
        "from openai import OpenAI\n# Use claude-3-opus or gpt-4o when the context is long\n"
        'print("try claude-3-opus")\nlogger.info("model gpt-4o ready")\n'
        'raise ValueError("gpt-4o")\nif name.startswith("claude-3"): pass\n',
    ),
    (
        "argparse-help-and-dataset-repo",
        "import argparse\nfrom huggingface_hub import snapshot_download\n"
        'p = argparse.ArgumentParser()\np.add_argument("--x", help="e.g. gpt-4o or Qwen/Qwen2")\n'
        'snapshot_download(repo_id="HuggingFaceH4/ultrachat_200k", repo_type="dataset")\n',
    ),
    (
        "variable-named-model-not-a-model",
        'from openai import OpenAI\nmodel = "my model"\nMODEL_DIR = "checkpoints"\n'
        "model = OpenAI().chat.completions.create(model=model_name, messages=[])\n",
    ),
    (
        "env-without-default",
        "import os\nfrom openai import OpenAI\n"
        'OpenAI().embeddings.create(model=os.environ["EMB"])\n',
    ),
    (
        "localhost-base-url",
        'from openai import OpenAI\nc = OpenAI(base_url="http://localhost:8000/v1")\n',
    ),
]


@pytest.mark.parametrize("code", [n[1] for n in NEGATIVES], ids=[n[0] for n in NEGATIVES])
def test_hard_negatives_are_not_references(code: str) -> None:
    assert rows(code) == set()


def test_context_records_loader_revision_trust_and_via() -> None:
    found = refs(
        """
        from transformers import AutoModel
        REPO = "acme/model"
        m = AutoModel.from_pretrained(REPO, revision="v1.0", trust_remote_code=True)
        """
    )
    assert len(found) == 1
    ctx = found[0].context
    assert ctx["loader"] == "transformers.AutoModel.from_pretrained"
    assert (ctx["revision"], ctx["trust_remote_code"], ctx["via"]) == ("v1.0", True, "REPO")
    assert found[0].detector == "python"


def test_torch_load_records_weights_only_absent_as_none() -> None:
    (ref,) = refs('import torch\nsd = torch.load("ckpt.pt")\n')
    assert ref.context["weights_only"] is None


def test_base_url_reaches_calls_on_the_client() -> None:
    found = refs(
        """
        from openai import OpenAI
        c = OpenAI(base_url="https://api.groq.com/openai/v1")
        c.chat.completions.create(model="llama-3.3-70b-versatile", messages=[])
        """
    )
    model = next(r for r in found if r.kind.value == "api_model")
    assert model.context["base_url"] == "https://api.groq.com/openai/v1"
    assert model.context["provider"] == "groq"


def test_unused_model_constant_is_reported_at_its_literal() -> None:
    assert rows('from openai import OpenAI\nDEFAULT_MODEL = "gpt-4o"\n') == {
        ("api_model", "gpt-4o", 2)
    }


def test_commented_out_code_and_docstring_examples_are_marked_in_comment() -> None:
    found = refs(
        """
        from openai import OpenAI
        # client.chat.completions.create(model="gpt-4o")
        def f():
            \"\"\"Load it.

            >>> AutoModel.from_pretrained("acme/tiny-bert")
            \"\"\"
        """
    )
    assert {(r.value, r.location.line, r.context.get("in_comment")) for r in found} == {
        ("gpt-4o", 2, True),
        ("acme/tiny-bert", 6, True),
    }


def test_syntax_error_is_reported_naming_the_file_and_strings_are_still_read() -> None:
    text = 'from openai import OpenAI\nMODEL = "gpt-4o"\ndef broken(:\n'
    found = list(PythonSourceDetector().detect(SourceFile("app.py", text)))
    skipped = [s for s in found if isinstance(s, Skipped)]
    assert len(skipped) == 1 and "app.py" in skipped[0].reason
    assert [r.value for r in found if isinstance(r, ModelReference)] == ["gpt-4o"]


def test_files_without_triggers_in_code_are_not_parsed() -> None:
    # Mentions only in a docstring's prose: the detector must not even parse (no syntax error).
    assert (
        list(PythonSourceDetector().detect(SourceFile("a.py", '"""gpt2"""\ndef broken(:\n'))) == []
    )


def test_oversized_file_is_refused() -> None:
    big = "from openai import OpenAI\n" + "x = 1\n" * 400_000
    with pytest.raises(DetectorError, match="larger than"):
        refs(big)


def test_provider_sdk_calls_make_derived_endpoints_with_sdk_egress() -> None:
    found = refs(
        """
        import dashscope
        from zhipuai import ZhipuAI
        from anthropic import Anthropic
        dashscope.Generation.call(model="qwen-plus", messages=[])
        ZhipuAI(api_key=k).chat.completions.create(model="glm-4", messages=[])
        Anthropic(base_url="https://llm-proxy.acme.example").messages.create(model="claude-3-haiku")
        from openai import OpenAI
        OpenAI(base_url="https://spark-api.xf-yun.com/v1").chat.completions.create(model="x1")
        """
    )
    endpoints = {r.value: r.context for r in found if r.kind.value == "endpoint"}
    assert endpoints["https://dashscope.aliyuncs.com"]["egress"] == "sdk"
    assert endpoints["https://dashscope.aliyuncs.com"]["derived"] is True
    assert endpoints["https://open.bigmodel.cn"]["provider"] == "zhipu"
    # a client given its own base URL goes there, not to the SDK's default host
    assert "https://api.anthropic.com" not in endpoints
    assert endpoints["https://spark-api.xf-yun.com/v1"]["egress"] == "client"
    assert endpoints["https://spark-api.xf-yun.com/v1"]["provider"] == "iflytek"
