"""A thin proxy to a self-hosted OpenAI-compatible server."""

import os

from openai import OpenAI

client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
MODEL_ENV = "SERVED_MODEL_NAME"


def ask(prompt: str) -> str:
    model = os.environ["SERVED_MODEL"]
    r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    return r.choices[0].message.content or ""
