"""scan-many arguments: repositories, listing files, folders of repositories, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.errors import UsageError
from modeldeps.scanmany.targets import expand
from tests.scanmany.helpers import make_org, make_repo


def test_a_folder_of_repositories(tmp_path: Path) -> None:
    repos = make_org(tmp_path / "org", 3)
    make_repo(tmp_path / "org" / "plain", 9, git=False)  # a source tree without .git
    (tmp_path / "org" / ".hidden").mkdir()
    got = [t.path for t in expand([tmp_path / "org"])]
    assert got == [(tmp_path / "org" / "plain").resolve(), *(r.resolve() for r in repos)]  # by name


def test_a_repository_is_one_target_even_with_sub_folders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "svc", 0)
    (repo / "src" / "pkg").mkdir(parents=True)
    assert [t.path for t in expand([repo])] == [repo.resolve()]
    # and can be forced either way
    assert [t.path for t in expand([repo], as_parent=True)] == [(repo / "src").resolve()]


def test_a_listing_file_relative_to_itself(tmp_path: Path) -> None:
    a, b = make_org(tmp_path / "org", 2)
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# our services\norg/svc-01\n\n{a}\norg/svc-01\n")
    got = expand([listing])
    assert [t.path for t in got] == [b.resolve(), a.resolve()]  # once each, in order
    assert got[0].origin == f"{listing}:2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"org/missing\n", r"repos.txt:1: no such directory: org/missing"),
        (b"\x7fELF\x00\x01binary", "not a repository or a list"),
        (b"\xff\xfe bad", "must be UTF-8"),
    ],
)
def test_a_bad_listing_is_refused_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        expand([listing])


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        expand([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no sub-folders"):
        expand([tmp_path / "empty"], as_parent=True)
    listing = tmp_path / "l.txt"
    listing.write_text("l.txt\n")
    with pytest.raises(UsageError, match="not a directory"):
        expand([listing])
