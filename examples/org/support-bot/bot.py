"""Support bot: a hosted model for customers, a local one for internal drafts."""

import anthropic
import ollama

claude = anthropic.Anthropic()


def answer(question: str) -> str:
    msg = claude.messages.create(
        model="claude-sonnet-4-20250514",
        max_tokens=512,
        messages=[{"role": "user", "content": question}],
    )
    return msg.content[0].text


def draft(note: str) -> str:
    return ollama.generate(model="llama3.1:8b", prompt=note)["response"]
