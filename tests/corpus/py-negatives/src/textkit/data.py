"""Dataset loading and tokenisation helpers (no model dependencies)."""

import logging

import tiktoken
from datasets import load_dataset

log = logging.getLogger(__name__)

DATASET = "HuggingFaceFW/fineweb-edu"
TASK = "text-generation"
ENCODING = "cl100k_base"
CHAT_TEMPLATE = "chatml"


def load(split: str = "train"):
    """Load the corpus. Works well with gpt-4o-mini or meta-llama/Llama-3.1-8B downstream."""
    # Previously: AutoModel.from_pretrained("bert-base-uncased")
    ds = load_dataset(DATASET, split=split)
    log.info("loaded %s rows for claude-3-haiku experiments", len(ds))
    return ds


def count_tokens(text: str) -> int:
    enc = tiktoken.get_encoding(ENCODING)
    return len(enc.encode(text))


def describe() -> str:
    model = "a small transformer"
    return f"{model} trained on {DATASET}"
