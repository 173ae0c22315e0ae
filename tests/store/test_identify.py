"""Repository identity read from .git without running git: commit, branch, remote, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.store.identify import identify, remote_key, strip_credentials, tree_digest

SHA = "0123456789abcdef0123456789abcdef01234567"


def _checkout(root: Path, config: str = "", packed: bool = False) -> Path:
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    if packed:
        (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{SHA} refs/heads/main\n")
    else:
        (git / "refs" / "heads" / "main").write_text(SHA + "\n")
    (git / "config").write_text(config)
    return root


def test_commit_branch_and_remote(tmp_path: Path) -> None:
    root = _checkout(
        tmp_path / "svc",
        '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://x.test/u/svc\n'
        '[remote "origin"]\n\turl = https://bot:ghp_SECRET@GitHub.com/Acme/svc.git\n',
    )
    ident = identify(root)
    assert (ident.commit, ident.branch) == (SHA, "main")
    assert ident.remote_url == "https://github.com/Acme/svc.git"
    assert "SECRET" not in repr(ident)
    assert ident.key == "github.com/Acme/svc" and ident.name == "svc"


def test_packed_refs_detached_head_and_subfolder(tmp_path: Path) -> None:
    root = _checkout(
        tmp_path / "mono", '[remote "origin"]\n\turl = git@git.test:org/mono.git\n', packed=True
    )
    (root / "services" / "api").mkdir(parents=True)
    sub = identify(root / "services" / "api")
    assert sub.commit == SHA
    assert sub.key == "git.test/org/mono#services/api" and sub.name == "mono/services/api"
    (root / ".git" / "HEAD").write_text("f" * 40 + "\n")
    assert identify(root).commit == "f" * 40 and identify(root).branch is None


def test_a_worktree_points_at_its_git_dir(tmp_path: Path) -> None:
    main = _checkout(tmp_path / "main", '[remote "origin"]\n\turl = https://git.test/o/r\n')
    wt_git = main / ".git" / "worktrees" / "feature"
    wt_git.mkdir(parents=True)
    (wt_git / "HEAD").write_text("ref: refs/heads/feature\n")
    (wt_git / "commondir").write_text("../..\n")
    (main / ".git" / "refs" / "heads" / "feature").write_text("e" * 40 + "\n")
    tree = tmp_path / "feature"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {wt_git}\n")
    ident = identify(tree)
    assert (ident.commit, ident.branch, ident.key) == ("e" * 40, "feature", "git.test/o/r")


def test_hostile_git_files_are_read_safely(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "evil", "[core]\n\tfsmonitor = touch /tmp/pwned\n")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/../../../../etc/passwd\n")
    ident = identify(root)
    assert ident.commit is None and ident.remote_url is None
    assert ident.key == f"path:{root.resolve()}"


def test_a_plain_tree(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    ident = identify(tmp_path)
    assert ident.commit is None and ident.key == f"path:{tmp_path.resolve()}"
    before = tree_digest(tmp_path)
    (tmp_path / "app.py").write_text("x = 22\n")
    assert tree_digest(tmp_path) != before


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://github.com/acme/app.git", "github.com/acme/app"),
        ("ssh://git@github.com:22/acme/app.git", "github.com/acme/app"),
        ("git@github.com:acme/app.git", "github.com/acme/app"),
        ("https://tok@GITHUB.com/acme/app/", "github.com/acme/app"),
    ],
)
def test_remote_urls_of_one_repository_have_one_key(url: str, key: str) -> None:
    assert remote_key(strip_credentials(url)) == key
