"""Values that travel: a constant, argparse and function defaults, getenv defaults, if chains."""
import argparse
import os

from transformers import AutoModel

BASE = "acme/base-encoder-v3"
JUDGE = os.getenv("JUDGE_MODEL", "qwen-max")


def load(repo=BASE):
    return AutoModel.from_pretrained(repo)


def encode(model_id="acme/encoder-small"):
    return model_id


parser = argparse.ArgumentParser()
parser.add_argument("--model", default="tiny")
parser.add_argument("--llm", default="glm-4-air")


def pick(model: str) -> int:
    if model == "moonshot-v1-8k":
        return 1
    elif model == "abab6.5s-chat":
        return 2
    return 0
