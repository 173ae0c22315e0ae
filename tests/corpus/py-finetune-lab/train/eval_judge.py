"""Evaluates fine-tuned checkpoints with vLLM and an LLM judge."""

import os

import torch
from openai import OpenAI
from vllm import LLM, SamplingParams

JUDGE_MODEL = os.environ.get("JUDGE_MODEL", "gpt-4o")
CANDIDATES = [
    "outputs/merged",
    "Qwen/Qwen2.5-3B-Instruct",
]


def generate(path: str, prompts: list[str]) -> list[str]:
    llm = LLM(model=path, dtype="bfloat16", max_model_len=4096)
    outs = llm.generate(prompts, SamplingParams(temperature=0.0, max_tokens=256))
    return [o.outputs[0].text for o in outs]


def reference_run(prompts: list[str]) -> list[str]:
    llm = LLM(
        model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
        trust_remote_code=True,
        revision="main",
    )
    return [o.outputs[0].text for o in llm.generate(prompts)]


def judge(answer: str) -> str:
    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_KEY"])
    r = client.chat.completions.create(model=JUDGE_MODEL, messages=[{"role": "user", "content": answer}])
    return r.choices[0].message.content or ""


def load_classifier() -> torch.nn.Module:
    state = torch.load("checkpoints/classifier.pt", map_location="cpu")
    head = torch.nn.Linear(768, 2)
    head.load_state_dict(state)
    return head


def load_reward() -> dict[str, torch.Tensor]:
    return torch.load("checkpoints/reward_head.bin", weights_only=True)
