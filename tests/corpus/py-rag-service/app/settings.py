"""Settings for the retrieval service."""

import os

from pydantic_settings import BaseSettings
from pydantic import Field

OPENAI_BASE_URL = os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
EMBEDDING_MODEL = os.getenv("EMBEDDING_MODEL", "text-embedding-3-large")
LOCAL_DIR = "data/index"  # where the FAISS index lives


class Settings(BaseSettings):
    chat_model: str = Field(default="gpt-4o-2024-08-06")
    rerank_model: str = "BAAI/bge-reranker-v2-m3"
    index_name: str = "docs-v2"
    log_level: str = "INFO"
