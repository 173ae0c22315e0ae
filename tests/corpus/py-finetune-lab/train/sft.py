"""Supervised fine-tuning of a small instruct model with LoRA."""

import argparse

import torch
from datasets import load_dataset
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    Trainer,
    TrainingArguments,
)

BASE_MODEL = "meta-llama/Llama-3.2-3B-Instruct"
BASE_REVISION = "0cb88a4f764b7a12671c53f0838cd831a0843b95"
OUTPUT_DIR = "outputs/llama-3.2-3b-sft"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description="SFT with LoRA")
    p.add_argument("--dataset", default="HuggingFaceH4/ultrachat_200k", help="dataset id")
    p.add_argument("--push-to", default="acme/llama-3.2-3b-support", help="e.g. acme/llama-sft")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    ds = load_dataset(args.dataset, split="train_sft")
    tok = AutoTokenizer.from_pretrained(BASE_MODEL, revision=BASE_REVISION)
    model = AutoModelForCausalLM.from_pretrained(
        BASE_MODEL,
        revision=BASE_REVISION,
        quantization_config=BitsAndBytesConfig(load_in_4bit=True),
        torch_dtype=torch.bfloat16,
    )
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32))
    trainer = Trainer(model=model, args=TrainingArguments(output_dir=OUTPUT_DIR), train_dataset=ds)
    trainer.train()
    model.save_pretrained(OUTPUT_DIR)
    model.push_to_hub(args.push_to)
    tok.push_to_hub("acme/llama-3.2-3b-support")


def merge(adapter: str = "acme/llama-3.2-3b-support-lora") -> None:
    base = AutoModelForCausalLM.from_pretrained(BASE_MODEL)
    merged = PeftModel.from_pretrained(base, adapter)
    merged.merge_and_unload().save_pretrained("outputs/merged")


if __name__ == "__main__":
    main()
