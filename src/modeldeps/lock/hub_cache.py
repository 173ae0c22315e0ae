"""Pins for Hub models read offline from the local Hugging Face cache.

The cache already carries the Hub's identities: ``refs/<branch>`` holds the commit a branch had
when the files were fetched, and every blob is named by its ETag, which is the SHA-256 of an LFS
file and the git blob SHA-1 of a small one. Nothing is hashed here; ``verify`` does that.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modeldeps.lock.lockfile import SHA1, SHA256, HubPin, LockedFile, safe_relpath
from modeldeps.lock.stores import Escape, inside


class HubCache:
    """One look at a cache (``huggingface_hub.scan_cache_dir``), asked about many models."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repos: dict[str, Any] = {}
        self.problem: str | None = None
        self.warnings: list[str] = []
        from huggingface_hub import CacheNotFound, scan_cache_dir

        try:
            self.real = Path(root).resolve()
            info = scan_cache_dir(self.real)
        except CacheNotFound:
            self.problem = "no local Hugging Face cache"
            return
        except (OSError, ValueError) as exc:
            self.problem = f"the Hugging Face cache cannot be read ({exc})"
            return
        self.warnings = [str(w) for w in info.warnings]
        self.repos = {r.repo_id.lower(): r for r in info.repos if r.repo_type == "model"}

    def pin(self, repo: str, requested: str, used_in: tuple[str, ...] = ()) -> HubPin:
        """The cached revision ``requested`` names, or an unpinned entry saying why not."""

        def unpinned(reason: str) -> HubPin:
            return HubPin(repo, requested, reason=reason, used_in=used_in)

        if self.problem:
            return unpinned(self.problem)
        cached = self.repos.get(repo.lower())
        if cached is None:
            folder = f"models--{repo.replace('/', '--')}"
            bad = next((w for w in self.warnings if folder in w), None)
            if bad:
                return unpinned(f"its folder in the Hugging Face cache is damaged: {bad}")
            return unpinned("not in the local Hugging Face cache")
        revision = _find_revision(cached.revisions, requested)
        if revision is None:
            return unpinned(f"the Hugging Face cache holds no snapshot for revision {requested!r}")
        files, problem = self._files(revision)
        if problem:
            return unpinned(problem)
        return HubPin(
            repo,
            requested,
            revision.commit_hash,
            "hf-cache",
            tuple(sorted(files)),
            used_in=used_in,
        )

    def _files(self, revision: Any) -> tuple[list[LockedFile], str | None]:
        snapshot = Path(revision.snapshot_path)
        files: list[LockedFile] = []
        for f in revision.files:
            rel = Path(f.file_path).relative_to(snapshot).as_posix()
            if not safe_relpath(rel):
                return [], f"the cached snapshot holds an unsafe file name: {rel!r}"
            try:
                inside(Path(f.file_path), self.real)
            except Escape as exc:
                return [], f"{rel} in the cached snapshot points outside the cache, to {exc.target}"
            etag = Path(f.blob_path).name
            if SHA256.fullmatch(etag):
                files.append(LockedFile(rel, int(f.size_on_disk), sha256=etag))
            elif SHA1.fullmatch(etag):
                files.append(LockedFile(rel, int(f.size_on_disk), git_sha1=etag))
            else:
                return [], f"{rel}: its cache blob is not named by a content hash ({etag!r})"
        return files, None


def _find_revision(revisions: Any, requested: str) -> Any:
    """The cached revision whose commit is ``requested``, or that a ref of that name points to."""
    for rev in revisions:
        if rev.commit_hash == requested:
            return rev
    for rev in sorted(revisions, key=lambda r: r.commit_hash):
        if requested in rev.refs:
            return rev
    return None


def cached_refs(root: Path, repo: str) -> Mapping[str, str]:
    """``{ref name: commit}`` from a repository's ``refs`` folder (small files, read bounded)."""
    from modeldeps.lock.stores import repo_folder

    refs_dir = root / repo_folder(repo) / "refs"
    out: dict[str, str] = {}
    if not refs_dir.is_dir():
        return out
    for path in sorted(refs_dir.rglob("*")):
        if path.is_file() and not path.is_symlink():
            try:
                with path.open("rb") as fh:
                    value = fh.read(64).decode("ascii", "replace").strip()
            except OSError:
                continue
            if SHA1.fullmatch(value):
                out[path.relative_to(refs_dir).as_posix()] = value
    return out
