"""Second-stage prefilter: parse a file only when a trigger word occurs in code, not in prose."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import ahocorasick_rs

#: Words of which at least one must appear in code for any reference the Python analysis emits:
#: every loader rule needs its module imported or its distinctive method name written, and the
#: model-keyword and model-constant paths need a ``model``-ish keyword, key or constant name.
#: Package imports (an aliased import still contains these words).
PACKAGES: tuple[str, ...] = (
    "vllm",
    "llama_cpp",
    "mlx_lm",
    "mlx_vlm",
    "whisper",
    "faster_whisper",
    "openai",
    "anthropic",
    "vertexai",
    "mistralai",
    "cohere",
    "groq",
    "together",
    "fireworks",
    "boto3",
    "litellm",
    "langchain",
    "llama_index",
    "ollama",
    "pydantic_ai",
    "aisuite",
    "crewai",
    "dspy",
    "smolagents",
    "haystack",
    "autogen",
)

#: Distinctive call names, model constants and provider URL keys, found with ``str.find``.
TRIGGERS: tuple[str, ...] = (
    "from_pretrained",
    "from_model_id",
    "create_model",
    "invoke_model",
    "init_chat_model",
    "pipeline(",
    "SentenceTransformer",
    "CrossEncoder",
    "hf_hub_download",
    "snapshot_download",
    "InferenceClient",
    "torch.hub",
    "torch.load",
    "load_file",
    "safe_open",
    "GenerativeModel",
    "genai",
    "completions.",
    "messages.create",
    "messages.stream",
    "generate_content",
    "embed_content",
    "converse",
    "BASE_URL",
    "base_url",
    "api_base",
)

#: Regexes for imports, model keywords and dict keys. Every one starts with a literal, so ``re``
#: jumps between occurrences of it instead of trying the pattern at every position (a leading
#: ``\b``, character class or alternation made the whole check three times slower).
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # The package itself (``import openai``, ``from vllm import LLM``, ``from langchain_openai
    # import …``), not its submodules: ``from vllm.config import …`` is how a library's own
    # source and plugins import internals, and a model named through a submodule's class still
    # carries a ``model=`` keyword or a ``MODEL`` constant, which trigger on their own.
    re.compile(r"import (?:" + "|".join(PACKAGES) + r")\w*(?![\w.])"),
    re.compile(r"from (?:" + "|".join(PACKAGES) + r")\w*(?![\w.])"),
    # ``model="…"``, ``model=CONSTANT`` (``ModelConfig(model=TARGET_DIR)``) and ``models = [``,
    # one regex for the three since they share their literal start.
    re.compile(
        r"""model(?:(?:_name|_id)?=f?["']|(?:_name|_id|_path|_name_or_path)?="""
        r"""(?!None\b|True\b|False\b)[A-Z_]|s\s*(?::[^=\n]*)?=\s*[\[({])"""
    ),
    # A dict key: matched from its opening quote, so the hit itself is not "inside a string".
    re.compile(r"""\"model(?:_name|_id)?\"\s*:"""),
    re.compile(r"""'model(?:_name|_id)?'\s*:"""),
    # ``DEFAULT_MODEL = "…"``, ``MODEL_ID: str = os.getenv(…)``, ``MODELS = [``, not ``= dict(``.
    re.compile(r"""MODEL\w*\s*(?::[^=\n]*)?=\s*(?:[rfRF]?["']|os\.|\{|\[)"""),
    re.compile(r"""TOKENIZER\w*\s*(?::[^=\n]*)?=\s*(?:[rfRF]?["']|os\.)"""),
    # ``self.model = "org/a"``: an attribute holding a model.
    re.compile(r"""\.model(?:_name|_id)?\s*=\s*f?["']"""),
    # ``os.getenv("RERANKER_MODEL", "…")``: the environment variable names a model.
    re.compile(r"""getenv\(\s*["']\w*(?:MODEL|model)"""),
    re.compile(r"""environ\.get\(\s*["']\w*(?:MODEL|model)"""),
)

_TRIPLE_RE = re.compile("\"\"\"|'''")

#: Lower-case byte forms for the pipeline's byte-level prefilter (which ignores case).
KEYWORDS: tuple[bytes, ...] = tuple(
    sorted({t.lower().encode() for t in TRIGGERS} | {p.encode() for p in PACKAGES} | {b"model"})
)


def _is_identifier_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _names_a_use(text: str, pos: int, word: str) -> bool:
    """Whether the trigger word at ``pos`` is a use, not part of a longer name or a definition.

    ``create_model_card``, ``_load_from_pretrained`` and ``def from_pretrained(`` contain a
    trigger word but call nothing a detector looks for; skipping them keeps large libraries
    (which define such methods everywhere) from being parsed for nothing.
    """
    if pos > 0 and _is_identifier_char(text[pos - 1]):
        return False
    end = pos + len(word)
    if _is_identifier_char(word[-1]) and end < len(text) and _is_identifier_char(text[end]):
        return False
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos].rstrip()
    return not (before.endswith(("def", "class")) or before.lstrip().startswith("#"))


#: One automaton for all trigger words: a single pass over the text finds every occurrence,
#: three times faster than one ``str.find`` loop per word (measured on the transformers tree).
_TRIGGER_AUTOMATON = ahocorasick_rs.AhoCorasick(TRIGGERS)


def _relaxed(pattern: str) -> str:
    """``pattern`` without its negative look-aheads (which RE2 cannot read): a superset of
    its matches, each confirmed by the exact pattern."""
    return re.sub(r"\(\?![^()]*(?:\([^()]*\))?[^()]*\)", "", pattern)


@lru_cache(maxsize=1)
def _scanner() -> Any:
    """One RE2 automaton for every trigger word and pattern, or ``None`` without RE2: a single
    linear pass over a file instead of eleven."""
    try:
        import re2

        options = re2.Options()
        options.max_mem = 64 << 20
        parts = [re.escape(w) for w in TRIGGERS] + [_relaxed(p.pattern) for p in _PATTERNS]
        # over bytes: the wrapper would encode a str again at every search
        return re2.compile("|".join(f"(?:{p})" for p in parts).encode(), options)
    except Exception:  # RE2 missing or a pattern it cannot read: the two passes stay right
        return None


def trigger_offsets(text: str) -> Iterator[int]:
    """Offsets of trigger words and patterns in ``text`` (each offset once, in order)."""
    scanner = _scanner()
    if scanner is None:
        yield from _slow_offsets(text)
        return
    data = text.encode("utf-8", "surrogatepass")
    ascii_only = len(data) == len(text)
    pos = 0
    while (m := scanner.search(data, pos)) is not None:
        pos = m.start() + 1
        start = m.start() if ascii_only else len(data[: m.start()].decode("utf-8", "replace"))
        # every word and pattern that starts here, as the exact checks define them
        if any(
            text.startswith(word, start) and _names_a_use(text, start, word) for word in TRIGGERS
        ) or any(pattern.match(text, start) for pattern in _PATTERNS):
            yield start


def _slow_offsets(text: str) -> Iterator[int]:
    """Offsets of trigger words and patterns in ``text`` (words in order, then patterns)."""
    for index, start, _end in _TRIGGER_AUTOMATON.find_matches_as_indexes(text, overlapping=True):
        if _names_a_use(text, start, TRIGGERS[index]):
            yield start
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.start()


def _triple_states(text: str) -> tuple[list[int], list[bool]]:
    """Offsets of triple quotes and, after each, whether a triple-quoted string is open."""
    starts: list[int] = []
    inside: list[bool] = []
    open_quote: str | None = None
    for m in _TRIPLE_RE.finditer(text):
        quote = m.group()
        if open_quote is None:
            open_quote = quote
        elif open_quote == quote:
            open_quote = None
        starts.append(m.start())
        inside.append(open_quote is not None)
    return starts, inside


def _in_line_string_or_comment(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    if '"' not in line and "'" not in line:
        return "#" in line
    # Odd count of a quote character before the hit on its line: inside a string literal.
    return line.count('"') % 2 == 1 or line.count("'") % 2 == 1


def has_code_trigger(text: str, multiline: list[tuple[int, int]] | None = None) -> bool:
    """Whether a trigger word occurs outside comments, docstrings and other string literals.

    A cheap lexical check (no tokenizer): quotes are counted on the hit's line, triple quotes
    before it in the file. Quoted triggers (``"model"``) are checked from their opening quote.
    ``multiline``: the spans of the file's triple-quoted strings when the lexical pass has
    found them already (sorted), so they are not searched for again.
    """
    states: tuple[list[int], list[bool]] | None = None
    starts = [s for s, _ in multiline] if multiline is not None else []
    for pos in trigger_offsets(text):
        if _in_line_string_or_comment(text, pos):
            continue
        if multiline is not None:
            index = bisect.bisect_right(starts, pos) - 1
            if index < 0 or multiline[index][1] <= pos:
                return True
            continue
        if states is None:
            states = _triple_states(text)
        index = bisect.bisect_left(states[0], pos)
        if index == 0 or not states[1][index - 1]:
            return True
    return False
