"""Shared vocabulary of detectors: which keys name models or outputs, and words never a model.

Model-name shapes, provider grammars and hosts live in the recognizer and in ``kb_vocab``
(generated from the knowledge base); provider hosts come only from ``endpoints.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# --- Keys whose value names a model -------------------------------------------------------------

#: Exact keys (lower-cased, ``-`` folded to ``_``) whose value is a model name in configuration.
MODEL_KEYS: frozenset[str] = frozenset(
    {
        "model",
        "model_name",
        "model_id",
        "model_path",
        "model_name_or_path",
        "model_repo",
        "repo_id",
        "base_model",
        "base_model_name_or_path",
        "pretrained_model_name_or_path",
        "tokenizer_name",
        "tokenizer_name_or_path",
        "embedding_model",
        "embedding_model_name",
        "embed_model",
        "embeddings_model",
        "reranker_model",
        "rerank_model",
        "llm",
        "llm_model",
        "chat_model",
        "completion_model",
        "teacher_model",
        "student_model",
        "reward_model",
        "ref_model",
        "draft_model",
        "speculative_model",
        "vision_model",
        "whisper_model",
        "deployment_name",
        "hf_model",
        "hf_model_id",
        "served_model",
        "default_model",
        "fallback_model",
        "summarizer_model",
        "judge_model",
    }
)

#: Keys whose value names an output — never a dependency.
OUTPUT_KEYS: frozenset[str] = frozenset(
    {
        "output_dir",
        "output_model",
        "output_model_name",
        "hub_model_id",
        "push_to_hub_model_id",
        "new_model",
        "new_model_name",
        "save_path",
        "run_name",
        "served_model_name",
        "model_alias",
        "display_name",
        "model_display_name",
    }
)


_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@lru_cache(maxsize=16384)
def normalize_key(key: str) -> str:
    """Fold a key to the form used in the key tables (``Model-Name`` → ``model_name``)."""
    k = key.strip().strip("\"'").replace("-", "_").replace(".", "_")
    return _HUMP.sub(r"_\1", k).lower()  # camelCase → snake_case


def is_model_key(key: str) -> bool:
    """Whether a configuration key names a model (``model``, ``OPENAI_MODEL``, ``embedModel``)."""
    k = normalize_key(key)
    if k in OUTPUT_KEYS:
        return False
    if k in MODEL_KEYS:
        return True
    if k.endswith("_model") or k.endswith("_model_name") or k.endswith("_model_id"):
        return k not in OUTPUT_KEYS
    return k.endswith("_model_name_or_path")


# --- Strings that are never a model ----------------------------------------------------------

#: Strings that look like model names but never are (hard negatives).
NOT_MODELS: frozenset[str] = frozenset(
    {
        # transformers pipeline task names
        "text-generation",
        "text2text-generation",
        "text-classification",
        "sentiment-analysis",
        "token-classification",
        "ner",
        "question-answering",
        "summarization",
        "translation",
        "fill-mask",
        "feature-extraction",
        "zero-shot-classification",
        "image-classification",
        "image-to-text",
        "automatic-speech-recognition",
        "text-to-speech",
        "object-detection",
        "image-segmentation",
        "conversational",
        "sentence-similarity",
        # tiktoken encodings
        "cl100k_base",
        "o200k_base",
        "p50k_base",
        "r50k_base",
        "gpt2",  # also a real model; only a reference with loader evidence
        # chat-template names
        "chatml",
        "llama-2",
        "llama-3",
        "alpaca",
        "vicuna",
        "zephyr",
        "mistral-instruct",
        # generic placeholders
        "default",
        "auto",
        "none",
        "null",
        "true",
        "false",
        "model",
        "your-model",
        "your_model",
        "my-model",
        "local",
        "custom",
        "test",
        # test doubles and examples
        "foo",
        "bar",
        "baz",
        "fake",
        "fake-model",
        "dummy",
        "dummy-model",
        "mock",
        "mock-model",
        "test-model",
        "example-model",
    }
)
