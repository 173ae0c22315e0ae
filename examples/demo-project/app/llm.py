"""Clients for the language models the assistant calls."""

from anthropic import Anthropic
from openai import OpenAI

from app.settings import CHAT_MODEL, DEEPSEEK_BASE_URL, MODELS

openai_client = OpenAI()
deepseek = OpenAI(base_url=DEEPSEEK_BASE_URL, api_key="set-in-env")
claude = Anthropic()


def answer(question: str) -> str:
    reply = openai_client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": question}],
    )
    return reply.choices[0].message.content or ""


def escalate(question: str) -> str:
    msg = claude.messages.create(
        model=MODELS["smart"],
        max_tokens=1024,
        messages=[{"role": "user", "content": question}],
    )
    return msg.content[0].text


def reason(question: str) -> str:
    out = deepseek.chat.completions.create(model="deepseek-reasoner", messages=[])
    return out.choices[0].message.content or ""
