import re


def family(model: str) -> str:
    if re.match(r"gpt-4o", model):
        return "gpt"
    if re.search(r"^claude-3", model):
        return "claude"
    if model.startswith(("o1", "o3-mini")):
        return "o-series"
    return "other"
