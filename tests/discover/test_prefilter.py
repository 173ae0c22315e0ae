"""The prefilter follows the recognizer: it never skips a file that holds a reference."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from modeldeps.discover import prefilter
from modeldeps.discover.detectors import Detector, all_detectors
from modeldeps.discover.detectors.literals import Literal, Site
from modeldeps.discover.detectors.recognizer import judge, prefilter_words
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
OPTIONS = ScanOptions(use_cache=False, resolve=False, assess=False, inspect_artifacts=False)


def _keys(root: Path) -> set[tuple[str, str, str, int | None]]:
    return {
        (r.kind.value, r.value, r.location.path, r.location.line)
        for r in scan([root], OPTIONS).references
    }


@pytest.mark.parametrize("project", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_scan_with_and_without_the_prefilter_agree(
    project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_prefilter = _keys(CORPUS / project)

    def everything(detectors: Sequence[Detector], data: bytes) -> list[Detector]:
        return list(detectors)

    monkeypatch.setattr(prefilter, "select", everything)
    assert _keys(CORPUS / project) == with_prefilter


@pytest.mark.parametrize(
    "value",
    ["gpt-4o", "claude-3-5-haiku-latest", "abab6.5s-chat", "qwen2.5:7b", "hf://acme/x",
     "ollama://phi4", "s3://bucket/models/x", "Qwen/Qwen2.5-7B", "TheBloke/X-GGUF",
     "https://api.deepseek.com/v1", "./w/model.gguf", "WAV2VEC2_ASR_BASE_960H", "o3-mini",
     "generalv3.5", "moonshot-v1-8k", "ERNIE-4.0-8K", "MiniMax-Text-01"],
)  # fmt: skip
def test_every_string_the_recognizer_accepts_alone_holds_a_prefilter_word(value: str) -> None:
    assert judge(Literal(value, 0, Site.TEXT)) is not None
    words = prefilter_words()
    assert words is not None
    assert any(w in value.lower().encode() for w in words), value


def test_weak_names_need_a_context_word_which_is_a_prefilter_word() -> None:
    # ``acme/support-bot-v2`` is a reference only under a model key: the key holds "model".
    assert judge(Literal("acme/support-bot-v2", 0, Site.VALUE)) is None
    assert judge(Literal("acme/support-bot-v2", 0, Site.VALUE, key="MODEL")) is not None
    assert b"model" in (prefilter_words() or ())


def test_recognizer_detectors_share_one_keyword_set() -> None:
    sets = {
        d.keywords_lower for d in all_detectors() if d.name in {"python", "code", "config", "text"}
    }
    assert len(sets) == 1
    chosen = prefilter.select(all_detectors(), b"nothing to see here")
    assert [d.name for d in chosen] == [d.name for d in all_detectors() if not d.keywords_lower]
