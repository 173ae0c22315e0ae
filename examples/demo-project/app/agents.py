"""Agents built with higher-level frameworks."""

import dspy
import litellm
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic_ai import Agent

triage = Agent("openai:gpt-4.1-mini")
summarizer = ChatOpenAI(model="gpt-4o", temperature=0)
local_llm = ChatOllama(model="qwen2.5:7b")
lm = dspy.LM("anthropic/claude-3-5-sonnet-20241022")


def translate(text: str) -> str:
    resp = litellm.completion(model="mistral/mistral-large-latest", messages=[{"role": "user", "content": text}])
    return resp.choices[0].message.content
