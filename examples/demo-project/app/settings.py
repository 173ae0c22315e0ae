"""Runtime settings for the assistant."""

import os

CHAT_MODEL = os.getenv("CHAT_MODEL", "gpt-4o-mini")
EMBEDDING_MODEL = "BAAI/bge-m3"
RERANKER = os.environ.get("RERANKER_MODEL", "BAAI/bge-reranker-v2-m3")
DEEPSEEK_BASE_URL = "https://api.deepseek.com/v1"

MODELS = {
    "fast": "claude-3-5-haiku-20241022",
    "smart": "claude-sonnet-4-20250514",
}
