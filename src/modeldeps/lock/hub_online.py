"""Pins for Hub models asked of the Hub API through ``huggingface_hub`` (``lock --online``)."""

from __future__ import annotations

import os

from modeldeps.lock.lockfile import SHA1, SHA256, HubPin, LockedFile, safe_relpath

_SAID = {401: "not authorized (gated or private?)", 403: "access denied", 404: "not found"}
#: Seconds to wait for the Hub before giving up on one model.
TIMEOUT_S = 30.0


def hub_endpoint(explicit: str | None = None) -> str | None:
    """The Hub to ask: ``explicit``, else ``$HF_ENDPOINT`` read now, else huggingface_hub's own."""
    value = explicit or os.environ.get("HF_ENDPOINT")
    return value.rstrip("/") if value else None


def online_pin(
    repo: str, requested: str, endpoint: str | None = None, used_in: tuple[str, ...] = ()
) -> HubPin:
    """The commit ``requested`` resolves to on the Hub now, with every file's size and identity.

    Uses ``model_info(files_metadata=True)``: the commit (``sha``) and, per file, the LFS SHA-256
    or the git blob id, the same identities the local cache names its blobs by.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import OfflineModeIsEnabled

    try:
        info = HfApi(endpoint=hub_endpoint(endpoint)).model_info(
            repo, revision=requested, files_metadata=True, timeout=TIMEOUT_S
        )
    except OfflineModeIsEnabled:
        return HubPin(
            repo, requested, reason="offline mode is on (HF_HUB_OFFLINE)", used_in=used_in
        )
    except Exception as exc:  # HTTP errors, and the HTTP client's own (not all are OSError)
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if isinstance(status, int):
            text = _SAID.get(status, f"HTTP {status}")
            return HubPin(repo, requested, reason=f"the Hub answered: {text}", used_in=used_in)
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return HubPin(
            repo, requested, reason=f"the Hub could not be asked: {first}", used_in=used_in
        )
    commit = info.sha or ""
    if not SHA1.fullmatch(commit):
        return HubPin(repo, requested, reason="the Hub gave no commit", used_in=used_in)
    files: list[LockedFile] = []
    for sib in info.siblings or ():
        path = sib.rfilename
        lfs = sib.lfs
        if not safe_relpath(path):
            return HubPin(repo, requested, reason=f"unsafe file name {path!r}", used_in=used_in)
        if lfs is not None and SHA256.fullmatch(str(lfs.sha256)):
            files.append(LockedFile(path, int(lfs.size), sha256=str(lfs.sha256)))
        elif sib.blob_id and SHA1.fullmatch(sib.blob_id) and sib.size is not None:
            files.append(LockedFile(path, int(sib.size), git_sha1=sib.blob_id))
        else:
            reason = f"the Hub gave no content identity for {path}"
            return HubPin(repo, requested, reason=reason, used_in=used_in)
    return HubPin(repo, requested, commit, "hub-api", tuple(sorted(files)), used_in=used_in)
