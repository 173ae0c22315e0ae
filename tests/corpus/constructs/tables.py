"""Tables of models: a dict by language, a list, a tuple, a set, an enum."""
import enum

ALIGN_MODELS_BY_LANG = {
    "xx": "acme-speech/aligner-large-xx",
    "yy": "acme-speech/aligner-large-yy",
}
FALLBACK_MODELS = ["gpt-4o-mini", "contoso-chat-2"]
ROUTES = ("claude-3-5-haiku-latest", "contoso-lite-1")
EMBEDDERS = {"BAAI/bge-small-en-v1.5", "acme/embedder-base"}


class Tier(enum.Enum):
    FAST = "gemini-2.0-flash"
    DEEP = "deepseek-reasoner"
QIANFAN_ROUTES = {"ERNIE-4.0-8K": "completions_pro", "ERNIE-Speed-8K": "ernie_speed"}
