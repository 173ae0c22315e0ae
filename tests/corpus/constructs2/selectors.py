import re


def max_tokens(model: str) -> int:
    if re.fullmatch(r"o4-mini", model):
        return 100000
    if re.match(r"^gemini-2\.5-pro$", model):
        return 65536
    match model:
        case "deepseek-reasoner":
            return 64000
    return 4096
