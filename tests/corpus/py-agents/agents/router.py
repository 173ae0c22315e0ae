"""Routes requests to providers through LiteLLM and aisuite."""

import os

import aisuite as ai
import litellm
from litellm import acompletion, completion

PRIMARY = os.getenv("PRIMARY_MODEL", "gemini/gemini-2.0-flash")
COMPARE_MODELS = ["openai:gpt-4o", "anthropic:claude-3-5-sonnet-20240620"]
TASK = "summarization"


def route(prompt: str) -> str:
    r = completion(model=PRIMARY, messages=[{"role": "user", "content": prompt}])
    return r.choices[0].message.content


async def route_async(prompt: str) -> str:
    r = await acompletion(
        model="together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=[{"role": "user", "content": prompt}],
        api_base="https://api.together.xyz/v1",
    )
    return r.choices[0].message.content


def embed(texts: list[str]) -> list[list[float]]:
    return litellm.embedding(model="mistral/mistral-embed", input=texts).data


def compare(prompt: str) -> list[str]:
    client = ai.Client()
    out = []
    for model in COMPARE_MODELS:
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
        out.append(r.choices[0].message.content)
    single = client.chat.completions.create(model="mistral:mistral-large-latest", messages=[])
    out.append(single.choices[0].message.content)
    return out
