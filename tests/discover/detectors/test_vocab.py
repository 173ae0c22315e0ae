"""Shared detector vocabulary: which keys name models, which name outputs, words never a model."""

from __future__ import annotations

import pytest

from modeldeps.discover.detectors import vocab


@pytest.mark.parametrize(
    "key",
    ["model", "MODEL_ID", "embedModel", "base-model", "OPENAI_MODEL", "model_name_or_path"],
)
def test_model_keys(key: str) -> None:
    assert vocab.is_model_key(key)


@pytest.mark.parametrize(
    "key", ["output_dir", "hub_model_id", "served_model_name", "display_name", "model_alias", "x"]
)
def test_output_and_other_keys_are_not_model_keys(key: str) -> None:
    assert not vocab.is_model_key(key)


def test_normalize_key_folds_case_camel_and_separators() -> None:
    assert vocab.normalize_key("embedModelName") == "embed_model_name"
    assert vocab.normalize_key("Model-Name") == "model_name"
    assert vocab.normalize_key("'model.id'") == "model_id"


def test_never_models() -> None:
    assert {"cl100k_base", "chatml", "text-generation", "your-model"} <= vocab.NOT_MODELS
