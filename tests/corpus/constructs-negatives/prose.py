"""Uses gpt-4o via a loader; see https://platform.openai.com/docs/models."""
import logging

log = logging.getLogger(__name__)
# Pick the larger model when the context is long; claude-3-opus is slower.
print("try claude-3-opus")
log.info("model gpt-4o ready")
DISPLAY_NAME = "GPT-4o"
PROVIDER = "mistral"
IMAGE = "vllm/vllm-openai:v0.8.3"
OUTPUT_DIR = "outputs/qwen-7b-sft"
CONTENT_TYPE = "application/json"
ENCODING = "cl100k_base"
TEMPLATE = "chatml"
PLACEHOLDER = "/path/to/model"
ALIAS = "llama-3.1-8b-instruct-fp8-l4"


def is_claude(name: str) -> bool:
    return name.startswith(("claude-3", "glm"))


def publish(model) -> None:
    model.push_to_hub("acme/my-finetune")


def data():
    from datasets import load_dataset

    return load_dataset("acme/chat-logs")
api_style = "chat_completions"
handler_name = "ernie_client"
MODEL_PATH = "/models/${MODEL_NAME}"
OUT_PATH = "$OUT/<name>/ckpt"
