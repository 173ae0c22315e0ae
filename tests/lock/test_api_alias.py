"""API model names in the lock: dated versions are pins, aliases show what they pointed to."""

from __future__ import annotations

import pytest

from modeldeps.lock.api_alias import api_pin
from modeldeps.resolve.sources.bundled import load_kb


@pytest.fixture(scope="module")
def kb() -> object:
    return load_kb(())


def test_alias_known_to_the_kb(kb: object) -> None:
    pin = api_pin("gpt-4o", kb, None, ("a.py",))
    assert not pin.pinned and pin.resolves_to == "gpt-4o-2024-08-06"
    assert pin.provider == "openai" and "alias" in (pin.reason or "")
    claude = api_pin("claude-3-7-sonnet", kb, None, ())
    assert claude.resolves_to == "claude-3-7-sonnet-20250219" and not claude.pinned
    assert "https://" in (claude.reason or "")  # the KB source is cited


@pytest.mark.parametrize(
    "name",
    [
        "gpt-4o-2024-08-06",
        "claude-3-5-haiku-20241022",
        "gpt-4-0613",
        "gemini-2.0-flash-001",
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "claude-haiku-4-5@20251001",
    ],
)
def test_dated_versions_are_pins(kb: object, name: str) -> None:
    pin = api_pin(name, kb, None, ())
    assert pin.pinned and pin.resolves_to is None


@pytest.mark.parametrize(
    "name", ["mistral-large-latest", "chatgpt-4o-latest", "qwen-plus", "glm-4.6"]
)
def test_moving_or_unknown_names_are_not_pins(kb: object, name: str) -> None:
    pin = api_pin(name, kb, None, ())
    assert not pin.pinned and pin.reason


def test_what_an_alias_points_to_is_a_pin(kb: object) -> None:
    """The version an alias points to is fixed, dated or not (``claude-2`` → ``claude-2.0``)."""
    aliases = [a for a in kb.api_models if a.alias_of]  # type: ignore[attr-defined]
    assert len(aliases) >= 10
    for rec in aliases:
        assert api_pin(rec.alias_of, kb, None, ()).pinned, rec.alias_of
        assert not api_pin(rec.id, kb, None, ()).pinned, rec.id
    assert api_pin("claude-2.0", kb, None, ()).pinned
    assert not api_pin("claude-2.0", None, None, ()).pinned  # without the KB nothing says so
