"""Model-card text signals: who developed it, its own Hub id, its base, read from bounded text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINES = 4000
_ID = r"([A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})"
_HUB_LINK = re.compile(r"huggingface\.co/" + _ID)
_REPO_ID = re.compile(r"^" + _ID + r"$")
#: "Developed by: X", "**Model Developers** X", "- **Author:** X": the model-card template's
#: own field for the maker. A colon or a closing emphasis must follow the label, so prose such
#: as "Developers can fine-tune" is not read as a field.
_DEV_LINE = re.compile(
    r"^[\s*_>|#-]*(?:model\s+)?(?:developed\s+by|developers?|authors?|model\s+creators?|"
    r"created\s+by|organi[sz]ation)(?:\s*[:：]\s*[*_]*|[*_]+\s*[:：]?)\s*(\S.{1,160})$",
    re.IGNORECASE,
)
#: "Base model: [org/name](...)", "Finetuned from model: org/name".
_BASE_LINE = re.compile(
    r"^[\s*_>|#-]*(?:base\s+model|fine-?tuned\s+from(?:\s+model)?)[^:\n]{0,20}[:：](.{2,300})$",
    re.IGNORECASE,
)
#: Code in a card that loads or serves a model by id: cards show how to run the model itself.
_SELF_ID = re.compile(
    r"(?:from_pretrained\(\s*(?:\w{1,40}\s*,\s*)?|pipeline\([^)]{0,80}?model\s*=\s*|"
    r"\b(?:model_id|model_name|model_path|repo_id|model)\s*=\s*)[\"']" + _ID + r"[\"']"
    r"|(?:vllm\s+serve|--model[= ]|huggingface-cli\s+download|hf\s+download)\s*" + _ID,
)
_MD_LINK = re.compile(r"\[([^\]]{0,120})\]\(([^)\s]{0,300})\)")


@dataclass(frozen=True, slots=True)
class CardText:
    """What a card's body says in the fields and code that model cards conventionally carry."""

    developers: tuple[str, ...] = ()  # text of "Developed by"-style fields, links flattened
    self_ids: tuple[str, ...] = ()  # Hub ids the card's code loads or serves (its own id)
    base_models: tuple[str, ...] = ()  # Hub ids named by "Base model:"-style fields


def read_card_body(body: str, exclude: Iterable[str] = ()) -> CardText:
    """Scan at most MAX_LINES lines of a card body. ``exclude``: ids known to be bases (cards
    often show how to load the base next to the model)."""
    skip = {e.lower() for e in exclude}
    devs: list[str] = []
    bases: list[str] = []
    ids: Counter[str] = Counter()
    for line in body.splitlines()[:MAX_LINES]:
        if len(line) > 2000:
            continue  # minified HTML or data; no field lives there
        m = _DEV_LINE.match(line)
        if m and len(devs) < 8:
            devs.append(_flatten(m.group(1)))
        b = _BASE_LINE.match(line)
        if b:
            bases += [i for i in _ids_in(b.group(1)) if i not in bases][:4]
        for s in _SELF_ID.finditer(line):
            rid = s.group(1) or s.group(2)
            if rid and rid.lower() not in skip:
                ids[rid] += 1
    return CardText(tuple(devs), _one_org(ids), tuple(bases))


def _flatten(text: str) -> str:
    """Markdown links become "text url" so both the name and a Hub org in the URL count."""
    return _MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", text).strip(" *_")


def _ids_in(text: str) -> list[str]:
    found = [m.group(1) for m in _HUB_LINK.finditer(text)]
    for word in re.split(r"[\s\[\]()`*,]+", text):
        if _REPO_ID.match(word) and "." not in word.split("/")[0]:
            found.append(word)
    return list(dict.fromkeys(found))


def _one_org(ids: Counter[str]) -> tuple[str, ...]:
    """The card's own id only when every id its code uses belongs to one org: a card loading
    a base from one org and an adapter from another does not say which one it is."""
    orgs = {i.split("/")[0].lower() for i in ids}
    if len(orgs) != 1:
        return ()
    return tuple(i for i, _ in ids.most_common())
