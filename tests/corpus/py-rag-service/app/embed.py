"""Embeddings and reranking."""

from openai import OpenAI
from sentence_transformers import CrossEncoder, SentenceTransformer

from app.settings import EMBEDDING_MODEL

client = OpenAI()
local = SentenceTransformer("sentence-transformers/all-mpnet-base-v2", device="cpu")
reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")


def embed(texts: list[str]) -> list[list[float]]:
    # EMBEDDING_MODEL comes from settings (text-embedding-3-large by default)
    out = client.embeddings.create(model="text-embedding-3-small", input=texts)
    return [d.embedding for d in out.data]
