"""A research crew and a few single-purpose agents."""

import dspy
from crewai import LLM, Agent
from pydantic_ai import Agent as PydanticAgent

planner_llm = LLM(model="anthropic/claude-3-7-sonnet-20250219", temperature=0.1)
writer = Agent(
    role="writer",
    goal="Write the brief",
    backstory="You like gpt-4o and Claude equally.",
    llm="groq/llama-3.3-70b-versatile",
)
extractor = PydanticAgent("openai:gpt-4o-mini", system_prompt="Extract entities.")
local_agent = PydanticAgent(model="ollama:qwen3:8b")

lm = dspy.LM("openai/gpt-4o-mini", max_tokens=2000)
dspy.configure(lm=lm)
