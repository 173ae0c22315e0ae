"""Local models through Ollama's Python client and a raw HTTP payload."""

import ollama
import requests
from ollama import Client

remote = Client(host="http://gpu-box.internal:11434")


def warm() -> None:
    ollama.pull("llama3.2:3b")
    remote.pull("nomic-embed-text")


def chat(prompt: str) -> str:
    r = ollama.chat(model="qwen2.5-coder:7b", messages=[{"role": "user", "content": prompt}])
    return r["message"]["content"]


def raw(prompt: str) -> str:
    payload = {"model": "mistral:7b-instruct", "prompt": prompt, "stream": False}
    return requests.post("http://localhost:11434/api/generate", json=payload, timeout=60).text
