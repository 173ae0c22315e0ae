"""Product search: dense embeddings and a reranker."""

from sentence_transformers import CrossEncoder, SentenceTransformer

embedder = SentenceTransformer("BAAI/bge-m3")
reranker = CrossEncoder("BAAI/bge-reranker-v2-m3")


def embed(texts: list[str]) -> list[list[float]]:
    return embedder.encode(texts).tolist()
