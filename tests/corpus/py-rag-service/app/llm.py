"""LLM and embedding clients used by the API."""

from __future__ import annotations

import logging

import openai as oa
from anthropic import AsyncAnthropic

log = logging.getLogger(__name__)

FALLBACK = "claude-3-5-haiku-20241022"
TIERS = {
    "fast": "gpt-4o-mini",
    "smart": "o3-mini",
}


class Answerer:
    """Answers questions with retrieved context."""

    def __init__(self, base_url: str | None = None) -> None:
        self.client = oa.AsyncOpenAI()
        self.claude = AsyncAnthropic()

    async def answer(self, question: str, tier: str = "fast") -> str:
        log.info("answering with gpt-4o-mini unless the tier says otherwise")
        resp = await self.client.chat.completions.create(
            model=TIERS["fast"],
            messages=[{"role": "user", "content": question}],
            temperature=0,
        )
        return resp.choices[0].message.content or ""

    async def hard(self, question: str) -> str:
        resp = await self.client.responses.create(model=TIERS["smart"], input=question)
        return resp.output_text

    async def fallback(self, question: str) -> str:
        msg = await self.claude.messages.create(
            model=FALLBACK,
            max_tokens=1024,
            messages=[{"role": "user", "content": question}],
        )
        return msg.content[0].text
