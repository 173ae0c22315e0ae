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
    claude = api_pin("claude-sonnet-4-5", kb, None, ())
    assert claude.resolves_to == "claude-sonnet-4-5-20250929"
    assert "as of 2026-12-04" in (claude.reason or "")


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


def test_every_kb_alias_points_to_a_dated_version(kb: object) -> None:
    """A snapshot recorded in the KB must itself be a pin, or the lock would mislead."""
    aliases = [a for a in kb.api_models if a.snapshot]  # type: ignore[attr-defined]
    assert len(aliases) >= 10
    for rec in aliases:
        assert rec.id and rec.snapshot.startswith(rec.id), rec
        assert api_pin(rec.snapshot, kb, None, ()).pinned, rec.snapshot
