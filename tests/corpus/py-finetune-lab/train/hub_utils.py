"""Downloads and uploads against the Hugging Face Hub."""

from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from llama_cpp import Llama

GGUF_REPO = "bartowski/Qwen2.5-7B-Instruct-GGUF"


def fetch_gguf() -> str:
    return hf_hub_download(repo_id=GGUF_REPO, filename="Qwen2.5-7B-Instruct-Q4_K_M.gguf")


def fetch_eval_data() -> str:
    return snapshot_download("openai/gsm8k", repo_type="dataset")


def fetch_tokenizer_only() -> str:
    return snapshot_download(
        "google/gemma-2-2b-it",
        allow_patterns=["tokenizer*"],
    )


def local_llm() -> Llama:
    return Llama(model_path="models/qwen2.5-7b-instruct-q4_k_m.gguf", n_ctx=8192)


def publish(folder: str) -> None:
    api = HfApi()
    api.create_repo("acme/qwen-support-gguf", exist_ok=True)
    api.upload_folder(folder_path=folder, repo_id="acme/qwen-support-gguf")
