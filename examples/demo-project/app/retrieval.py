"""Retrieval: embeddings, reranking and a local classifier."""

import torch
from sentence_transformers import CrossEncoder, SentenceTransformer
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

from app.settings import EMBEDDING_MODEL, RERANKER

embedder = SentenceTransformer(EMBEDDING_MODEL)
reranker = CrossEncoder(RERANKER)

# Intent classifier; the task name "text-classification" is not a model.
classifier = pipeline("text-classification", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")

tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-7B-Instruct", revision="main")
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-7B-Instruct",
    trust_remote_code=True,
)
glm = AutoModelForCausalLM.from_pretrained(
    "THUDM/glm-4-9b-chat",
    revision="4a40d8a6c2d7cbbe6e6a4c4f0ef9bd0c3e1a2b3c",
    trust_remote_code=True,
)

legacy_head = torch.load("weights/intent_head.pt")
