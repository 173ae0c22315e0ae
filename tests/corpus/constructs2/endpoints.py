"""Clients of OpenAI-compatible providers the knowledge base does not list."""
import os

import requests
from openai import OpenAI

vendor = OpenAI(base_url="https://api.quillmind.ai/v1", api_key=os.environ["QUILL_KEY"])
BEDROCK_MANTLE = "https://bedrock-mantle.%s.api.aws/v1"
VERTEX_BASE = f"https://{os.environ['REGION']}-aiplatform.googleapis.com/v1"
CHUTES = OpenAI(base_url="https://llm.chutes.ai/v1")


def paint(prompt: str) -> bytes:
    reply = requests.post(
        "https://pixelforge.com/api/v6/images/text2img", json={"prompt": prompt}, timeout=30
    )
    return reply.content
