"""Walk a scan root: honour excludes and .gitignore, never leave the root, classify files.

What a walk leaves out, and nothing else: version-control folders, tool caches (unless git tracks
a file inside), real virtualenvs, what the user excludes, and what ``.gitignore`` ignores and git
does not track.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pathspec

from modeldeps.discover.gitindex import tracked_under
from modeldeps.globs import gitignore_problem
from modeldeps.model import Location, Skipped, Stage
from modeldeps.options import TOOL_CACHE_DIRS, VCS_DIRS, ScanOptions
from modeldeps.textsafe import fs_text

Spec = pathspec.GitIgnoreSpec


class FileKind(StrEnum):
    """How the pipeline treats a file."""

    TEXT = "text"  # read and handed to detectors
    WEIGHT = "weight"  # handed to inspectors, never read as text
    TEMPLATE = "template"  # a chat template's file: read by detectors and checked by inspectors


#: Extensions of model weight and serialized-object files (inspected, not read as text). The
#: inspectors still decide by content; a name only makes sure a file is looked at.
WEIGHT_SUFFIXES: frozenset[str] = frozenset(
    {
        ".safetensors",
        ".gguf",
        ".ggml",
        ".bin",
        ".pt",
        ".pth",
        ".ckpt",
        ".pkl",
        ".pickle",
        ".joblib",
        ".npy",
        ".npz",
        ".onnx",
        ".keras",
        ".h5",
        ".hdf5",
        ".pb",
        ".tflite",
        ".mlmodel",
        ".dill",
        ".mar",
        ".nemo",
        ".llamafile",
    }
)

#: Text a detector reads, by extension: such files are read whole anyway, and one found to be
#: binary is inspected by content (see ``pipeline``). Every other file is classified by its
#: first bytes, so a model under any other name is found. A test keeps this set within what
#: the detectors accept (a suffix no detector reads would be a file nobody looks at).
TEXT_SUFFIXES: frozenset[str] = frozenset(
    {
        ".py", ".pyw", ".pyi", ".ipynb", ".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts",
        ".tsx", ".go", ".java", ".kt", ".kts", ".cs", ".rs",
        ".json", ".jsonc", ".json5", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".env",
        ".properties", ".sh", ".bash", ".zsh", ".mk", ".dockerfile", ".http", ".rest", ".modelfile",
        ".sql", ".ps1", ".psm1", ".psd1", ".tf", ".tfvars", ".hcl", ".tftpl", ".nomad",
    }
)  # fmt: skip

#: Text files known by their whole name (read by a detector).
TEXT_NAMES: frozenset[str] = frozenset(
    {
        "Modelfile", "Dockerfile", "Containerfile", "Makefile", "GNUmakefile", "makefile",
        "Procfile", "Pipfile", ".envrc",
    }
)  # fmt: skip

#: Files that carry chat templates (Jinja run on every request): checked by the template
#: inspector in a scan, as in ``inspect``; the JSON ones are also read by detectors.
TEMPLATE_NAMES: frozenset[str] = frozenset(
    {"tokenizer_config.json", "chat_template.json", "chat_template.jinja", "processor_config.json"}
)


@dataclass(frozen=True, slots=True)
class WalkedFile:
    """A file found under a scan root."""

    abspath: str  # absolute path on disk (a string: thousands of these are made per scan)
    rel: str  # POSIX path relative to the scan root
    size: int
    mtime_ns: int
    kind: FileKind
    ctime_ns: int = 0  # change time: only the kernel sets it, so a restored mtime cannot hide
    ino: int = 0  # an edit from the caches

    @property
    def path(self) -> Path:
        return Path(self.abspath)


def classify_name(name: str) -> FileKind | None:
    """How a file is treated by its name alone, or None when its content must decide."""
    kind = _BY_NAME.get(name)
    if kind is not None:
        return kind
    dot = name.rfind(".")
    if dot <= 0:  # no extension, or a dot file such as .env: the content decides
        return None
    suffix = name[dot:].lower()
    kind = _BY_SUFFIX.get(suffix)
    if kind is None and suffix == ".jinja" and name.startswith("chat_template"):
        return FileKind.TEMPLATE
    return kind


_BY_NAME: dict[str, FileKind] = {
    **{n: FileKind.TEXT for n in TEXT_NAMES},
    **{n: FileKind.TEMPLATE for n in TEMPLATE_NAMES},
}
_BY_SUFFIX: dict[str, FileKind] = {
    **{s: FileKind.TEXT for s in TEXT_SUFFIXES},
    **{s: FileKind.WEIGHT for s in WEIGHT_SUFFIXES},
}


#: How a protocol-0 pickle can begin (GLOBAL, MARK, INT/LONG/FLOAT/STRING, NONE, containers,
#: PUT/GET): text that starts otherwise is not worth the pickle reader's look.
_PICKLE_TEXT_START = re.compile(rb"c[\w.]+\n|[(\])}N.][\x00-\x7f]|[ILF][-+ .\d]|S['\"]|V|[pg]\d")


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_MAGICS = (
    b"GGUF", b"ZF0x", b"\x04\x22\x4d\x18", b"BZh", b"\x1f\x8b", b"\xfd7zXZ", b"\x5d\x00\x00",
    b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda", b"PK",
)  # fmt: skip


def _plain_text(head: bytes) -> bool:
    """Whether a file's first bytes are text that no model format starts with: the cheap
    first-bytes check that keeps a scan of a source tree from loading the content sniffer."""
    sample = head[:512]
    if sample[:1] == b"\x80" or _PICKLE_TEXT_START.match(sample):
        return False
    if _CONTROL.search(sample):  # text has tabs and line ends, not other C0 bytes (ONNX's \x08)
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < max(len(sample) - 4, 1):  # not a character cut by the sample's end
            return False
    # Magics that can pass for text in a short sample, and a tar's "ustar".
    return not sample.startswith(_MAGICS) and head[257:262] != b"ustar"


def classify_content(path: str, size: int) -> FileKind | None:
    """How a file is treated by its first bytes: a model format is a weight file whatever it
    is called; text goes to the detectors; any other binary is left alone."""
    try:
        with open(path, "rb", buffering=0) as fh:
            head = fh.read(512)
    except OSError:
        return None
    if _plain_text(head):
        return FileKind.TEXT
    from modeldeps.discover.inspectors.content import sniff_path  # a candidate: look closer

    fmt, text = sniff_path(path, size)
    if fmt is not None:
        return FileKind.WEIGHT
    return FileKind.TEXT if text else None


def classify(name: str, path: str | None = None, size: int = 0) -> FileKind | None:
    """Decide how to treat a file: text, weight, template, or ``None`` to ignore.

    By name when the name is one detectors read or weights wear; otherwise, given the file's
    ``path``, by content (a pickle named ``.dat``, ``.sav`` or nothing at all is a weight file).
    """
    kind = classify_name(name)
    if kind is not None or path is None:
        return kind
    return classify_content(path, size)


def classify_root(path: str, size: int) -> FileKind | None:
    """A file named on the command line: its content first (a model is inspected whatever it
    is called), then its name, then whether it is text."""
    from modeldeps.discover.inspectors.content import sniff_path

    fmt, text = sniff_path(path, size)
    if fmt is not None:
        return FileKind.WEIGHT
    kind = classify_name(os.path.basename(path))
    if kind is not None:
        return kind
    return FileKind.TEXT if text else None


def _as_git_means(line: str) -> str:
    """A gitignore line rewritten where pathspec and git disagree.

    Git reads ``dir/**/`` as "every directory inside ``dir``": ``dir`` itself and the files
    directly in it stay. pathspec compiles it to everything under ``dir/``, which would hide
    those files; ``dir/**/*/`` is the same set of directories in pathspec's terms.
    """
    text = line.rstrip()
    if text.endswith("/**/"):
        return text + "*/"
    return line


def _load_gitignore(path: str) -> Spec | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [_as_git_means(x) for x in fh.read(1024 * 1024).splitlines()]
    except OSError:
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):
        # A pattern git cannot match either (a reversed range such as [z-a]) matches nothing:
        # keep every other line rather than lose the file, or the scan.
        return pathspec.GitIgnoreSpec.from_lines(
            line for line in lines if gitignore_problem(line) is None
        )


def _is_virtualenv(directory: str) -> bool:
    """A real virtualenv: ``pyvenv.cfg`` names the base interpreter's ``home``, and the folder
    holds an interpreter. A stray or empty ``pyvenv.cfg`` does not hide a folder."""
    try:
        with open(os.path.join(directory, "pyvenv.cfg"), "rb") as fh:
            text = fh.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    home = [
        line.split("=", 1)[1].strip()
        for line in text.splitlines()
        if "=" in line and line.split("=", 1)[0].strip().lower() == "home"
    ]
    if not home or not home[0]:
        return False
    for sub, names in (("bin", ("python", "python3")), ("Scripts", ("python.exe",))):
        for name in names:
            if os.path.lexists(os.path.join(directory, sub, name)):
                return True
    return False


def walk(root: Path, options: ScanOptions) -> Iterator[WalkedFile | Skipped]:
    """Yield every file under ``root`` the scan should see, and a ``Skipped`` for each it cannot.

    Symlinks are followed only when their target stays inside the root; directories are never
    entered twice. Nested ``.gitignore`` files apply to their own subtree, as in git. Paths stay
    strings throughout: a walk of a large tree makes tens of thousands of them.
    """
    root = root.resolve()
    if root.is_file():
        st = root.stat()
        kind = classify_root(str(root), st.st_size)
        if kind is not None:
            yield WalkedFile(
                str(root),
                fs_text(root.name),
                st.st_size,
                st.st_mtime_ns,
                kind,
                st.st_ctime_ns,
                st.st_ino,
            )
        return
    user_spec = pathspec.GitIgnoreSpec.from_lines(options.excludes) if options.excludes else None
    # In a git checkout, what git tracks is scanned whatever .gitignore says; when the index
    # cannot be read, no ignore rule applies (scan more, never less).
    checkout = tracked_under(root) if options.use_gitignore else None
    tracked = checkout.tracked if checkout is not None else None
    use_gitignore = options.use_gitignore and not (
        checkout is not None and checkout.is_checkout and tracked is None
    )
    # .gitignore files between the checkout's top and the root apply too, as in git.
    above: list[tuple[str, Spec]] = []
    if use_gitignore and checkout is not None and checkout.top is not None:
        top = checkout.top.resolve()
        for folder in reversed(root.parents):
            if folder != top and top not in folder.parents:
                continue
            spec = _load_gitignore(str(folder / ".gitignore"))
            if spec is not None:
                above.append((root.relative_to(folder).as_posix() + "/", spec))
        # A folder the rules above ignore, given as the root, is scanned as the project it is
        # (as ripgrep searches an ignored folder it is given): otherwise every file would vanish
        # without a word. Its own .gitignore files still apply.
        if any(spec.match_file(prefix) for prefix, spec in above) or any(
            spec.match_file(prefix.rstrip("/")) for prefix, spec in above
        ):
            above = []
    root_str = str(root)
    try:
        st_root = os.stat(root_str)
    except OSError as exc:
        yield Skipped(Location("."), Stage.WALK, f"cannot stat directory: {exc.strerror}")
        return
    # Stack of (directory, its rel path, gitignore specs in force with the dir they belong to,
    # and its (device, inode) so that no directory is entered twice).
    stack: list[tuple[str, str, list[tuple[str, Spec]], tuple[int, int]]] = [
        (root_str, "", [], (st_root.st_dev, st_root.st_ino))
    ]
    seen_dirs: set[tuple[int, int]] = set()

    def excluded(rel: str, is_dir: bool) -> bool:
        return user_spec is not None and user_spec.match_file(rel + "/" if is_dir else rel)

    def ignored(rel: str, is_dir: bool, specs: list[tuple[str, Spec]]) -> bool:
        probe = rel + "/" if is_dir else rel
        for prefix, spec in above:
            if spec.match_file(prefix + probe):
                return True
        for base, spec in specs:
            sub = probe[len(base) + 1 :] if base else probe
            if spec.match_file(sub):
                return True
        return False

    while stack:
        directory, rel_dir, specs, key = stack.pop()
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(
                Location(fs_text(rel_dir) or "."),
                Stage.WALK,
                f"cannot list directory: {exc.strerror}",
            )
            continue
        if (
            rel_dir
            and any(e.name == "pyvenv.cfg" for e in entries)
            and _is_virtualenv(directory)
            and not (tracked is not None and tracked.has_dir(rel_dir))
        ):
            continue  # a virtualenv, whatever its name
        if use_gitignore:
            for e in entries:
                if e.name == ".gitignore" and e.is_file(follow_symlinks=False):
                    spec = _load_gitignore(e.path)
                    if spec is not None:
                        specs = [*specs, (rel_dir, spec)]
                    break
        subdirs: list[tuple[str, str, tuple[int, int]]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if target != root_str and not target.startswith(root_str + os.sep):
                        yield Skipped(
                            Location(fs_text(rel)),
                            Stage.WALK,
                            "symlink points outside the scan root",
                        )
                        continue
                    st = os.stat(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                reason = f"cannot stat: {exc.strerror or exc}"
                yield Skipped(Location(fs_text(rel)), Stage.WALK, reason)
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in VCS_DIRS or excluded(rel, True):
                    continue
                hidden = entry.name in TOOL_CACHE_DIRS or ignored(rel, True, specs)
                if hidden and (tracked is None or not tracked.has_dir(rel)):
                    continue
                subdirs.append((entry.path, rel, (st.st_dev, st.st_ino)))
            elif stat.S_ISREG(st.st_mode):
                if entry.name in VCS_DIRS or excluded(rel, False):
                    continue  # a ".git" file is a worktree's pointer to its git folder
                if ignored(rel, False, specs) and (tracked is None or not tracked.has_file(rel)):
                    continue
                kind = classify_name(entry.name)
                if kind is None:
                    kind = classify_content(entry.path, st.st_size)
                    if kind is None:
                        continue
                # Reported names are text: bytes that are not UTF-8 are shown as \xNN.
                shown = rel if rel.isascii() else fs_text(rel)
                yield WalkedFile(
                    entry.path, shown, st.st_size, st.st_mtime_ns, kind, st.st_ctime_ns, st.st_ino
                )
        for path, rel, child_key in reversed(subdirs):
            stack.append((path, rel, specs, child_key))
