"""The lockfile format: stable bytes, a round trip through tomllib, and line-exact errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldeps.errors import InputError
from modeldeps.lock.lockfile import (
    ApiPin,
    HubPin,
    LocalPin,
    LockedFile,
    Lockfile,
    OllamaLayer,
    OllamaPin,
)
from modeldeps.lock.tomlio import dumps, loads, read, write

SHA = "a" * 64
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def sample() -> Lockfile:
    return Lockfile(
        hub=(
            HubPin(
                "Qwen/Qwen2.5-0.5B",
                "main",
                COMMIT,
                "hf-cache",
                (
                    LockedFile("model.safetensors", 988, sha256=SHA),
                    LockedFile("config.json", 12, git_sha1="b" * 40),
                ),
                used_in=("app/b.py", "app/a.py"),
            ),
            HubPin("org/absent", reason="not in the local Hugging Face cache", used_in=("x.py",)),
        ),
        ollama=(
            OllamaPin(
                "qwen2.5:7b",
                "sha256:" + "c" * 64,
                (OllamaLayer("application/vnd.ollama.image.model", "sha256:" + "d" * 64, 5),),
            ),
        ),
        local=(LocalPin("weights/head.safetensors", 10, SHA),),
        api=(
            ApiPin("gpt-4o", "openai", False, "gpt-4o-2024-08-06", "alias", ("a.py",)),
            ApiPin("claude-3-5-haiku-20241022", "anthropic", True, None, "dated"),
        ),
    )


def test_written_lock_reads_back_equal() -> None:
    text = dumps(sample())
    again = loads(text)
    assert dumps(again) == text
    assert again.hub_pin("qwen/qwen2.5-0.5b", "main") is not None
    assert [f.path for f in again.hub[1].files] == ["config.json", "model.safetensors"]


def test_sections_and_keys_are_sorted_whatever_the_input_order() -> None:
    lock = sample()
    shuffled = Lockfile(
        hub=lock.hub[::-1], ollama=lock.ollama, local=lock.local, api=lock.api[::-1]
    )
    assert dumps(shuffled) == dumps(lock)
    text = dumps(lock)
    assert text.index('repo = "org/absent"') < text.index('repo = "Qwen/Qwen2.5-0.5B"')
    assert text.index("[[hub]]") < text.index("[[ollama]]") < text.index("[[local]]")


def test_one_line_per_file_so_a_changed_file_is_a_one_line_diff() -> None:
    text = dumps(sample())
    lines = [line for line in text.splitlines() if "model.safetensors" in line]
    assert lines == [f'  {{ path = "model.safetensors", size = 988, sha256 = "{SHA}" }},']


def test_hostile_strings_are_escaped_and_survive(tmp_path: Path) -> None:
    nasty = 'a"b\\c\nd\te\x01f\x7f ü'
    name = 'we"ird\\name ü'
    lock = Lockfile(api=(ApiPin(name, None, False, None, reason=nasty),))
    path = tmp_path / "models.lock"
    write(lock, path)
    assert read(path).api[0].model == name
    assert tomllib.loads(path.read_text())["api"][0]["reason"] == nasty


_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(name=_text, reason=_text, size=st.integers(min_value=0, max_value=2**62))
def test_any_text_round_trips(name: str, reason: str, size: int) -> None:
    lock = Lockfile(
        api=(ApiPin(name.replace("\0", "x") or "m", None, False, None, reason),),
        local=(LocalPin("w/f.bin", size, SHA),),
    )
    if any(ord(c) < 0x20 for c in lock.api[0].model):
        return  # names with control characters are refused on read (see below)
    again = loads(dumps(lock))
    assert again.api[0].model == lock.api[0].model and again.api[0].reason == reason
    assert again.local[0].size == size


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        loads(text, "models.lock")
    return info.value


def test_malformed_toml_names_the_line() -> None:
    err = _error("version = 1\n\n[[hub]]\nrepo = \n")
    assert err.line == 4 and "models.lock:4:" in str(err)


def test_future_version_is_refused_with_its_line() -> None:
    err = _error("# comment\nversion = 7\n")
    assert err.line == 2
    assert "newer" in str(err) and "upgrade modeldeps" in str(err)


def test_missing_version_and_unknown_section() -> None:
    assert "missing key 'version'" in str(_error("[[hub]]\nrepo = 'a/b'\n"))
    err = _error("version = 1\n[[models]]\nx = 1\n")
    assert "unknown key" in str(err)


def test_bad_values_name_their_line() -> None:
    text = dumps(sample())
    bad = text.replace(f'revision = "{COMMIT}"', 'revision = "main"')
    err = _error(bad)
    assert err.line == bad.splitlines().index('revision = "main"') + 1
    assert "revision" in str(err)
    bad = text.replace('size = 988, sha256 = "' + SHA, 'size = -1, sha256 = "' + SHA)
    err = _error(bad)
    assert err.line is not None and "model.safetensors" in bad.splitlines()[err.line - 1]


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "a/../../b", "a\\b", "", "a//b", "./a"]
)
def test_paths_that_leave_their_base_are_refused(path: str) -> None:
    text = dumps(sample()).replace(
        'path = "model.safetensors"', f'path = "{path}"'.replace("\\", "\\\\")
    )
    assert "inside the repository" in str(_error(text))
    text = dumps(sample()).replace('path = "weights/head.safetensors"', f"path = {path!r}")
    assert _error(text).line is not None


def test_unknown_keys_and_typos_are_refused_not_ignored() -> None:
    text = dumps(sample()).replace('requested = "main"', 'requested = "main"\nrevison = "x"', 1)
    err = _error(text)
    assert "revison" in str(err) and err.line == text.splitlines().index('revison = "x"') + 1


def test_unpinned_entries_need_a_reason_and_duplicates_are_refused() -> None:
    assert "reason" in str(_error('version = 1\n[[api]]\nmodel = "x"\npinned = false\n'))
    dup = 'version = 1\n[[api]]\nmodel = "x"\npinned = true\n[[api]]\nmodel = "x"\npinned = true\n'
    err = _error(dup)
    assert "duplicate" in str(err) and err.line == 5


def test_non_utf8_and_oversized_files(tmp_path: Path) -> None:
    path = tmp_path / "models.lock"
    path.write_bytes(b"version = 1\n# \xff\n")
    with pytest.raises(InputError) as info:
        read(path)
    assert info.value.line == 2
