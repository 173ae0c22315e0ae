"""Checkout assistant: summarises a basket and answers order questions."""

import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])


def summarise(basket: list[str]) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Summarise: " + ", ".join(basket)}],
    )
    return reply.choices[0].message.content or ""
