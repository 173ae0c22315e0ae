"""``--fix`` edits: exact positions, every call layout, and honest notes where it cannot edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.lock.fix import apply, plan_fixes
from modeldeps.lock.lockfile import HubPin, Lockfile
from modeldeps.model import ContextValue, Location, ModelReference, RefKind

C = "0123456789abcdef0123456789abcdef01234567"
LOCK = Lockfile(
    hub=(
        HubPin("org/m", "main", C, "hf-cache"),
        HubPin("org/m", "dev", C, "hf-cache"),
        HubPin("org/unpinned", reason="not cached"),
    )
)


def _ref(
    line: int, value: str = "org/m", path: str = "a.py", **ctx: ContextValue
) -> ModelReference:
    return ModelReference(RefKind.HUB_MODEL, value, Location(path, line), "python", ctx)


def _fixed(tmp_path: Path, source: str, *refs: ModelReference) -> tuple[str, list[str]]:
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    plan = plan_fixes(tmp_path, refs, LOCK)
    apply(plan, tmp_path)
    return (tmp_path / "a.py").read_text(encoding="utf-8"), plan.notes


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('m = A.from_pretrained("org/m")\n', f'm = A.from_pretrained("org/m", revision="{C}")\n'),
        (
            'm = A.from_pretrained("org/m", )\n',
            f'm = A.from_pretrained("org/m", revision="{C}" )\n',
        ),
        (
            'm = A.from_pretrained(\n    "org/m",\n    dtype="auto",\n)\n',
            f'm = A.from_pretrained(\n    "org/m",\n    dtype="auto",\n    revision="{C}",\n)\n',
        ),
        (
            'm = A.from_pretrained(\n    "org/m",\n    dtype="auto"\n)\n',
            f'm = A.from_pretrained(\n    "org/m",\n    dtype="auto",\n    revision="{C}"\n)\n',
        ),
        (
            'p = pipeline("text-generation", model="org/m", **kw)\n',
            f'p = pipeline("text-generation", model="org/m", **kw, revision="{C}")\n',
        ),
        (  # a multi-byte character before the call: positions are bytes in the parser
            's = "é"; m = A.from_pretrained("org/m")  # ü\n',
            f's = "é"; m = A.from_pretrained("org/m", revision="{C}")  # ü\n',
        ),
        (
            'm = A.from_pretrained("org/m", revision="main")\n',
            f'm = A.from_pretrained("org/m", revision="{C}")\n',
        ),
    ],
)
def test_layouts(tmp_path: Path, source: str, expected: str) -> None:
    fixed, notes = _fixed(tmp_path, source, _ref(1))
    assert fixed == expected and notes == []


def test_branch_revision_takes_that_branchs_pin(tmp_path: Path) -> None:
    fixed, _ = _fixed(
        tmp_path, 'A.from_pretrained("org/m", revision="dev")\n', _ref(1, revision="dev")
    )
    assert fixed == f'A.from_pretrained("org/m", revision="{C}")\n'


def test_crlf_and_other_lines_are_kept(tmp_path: Path) -> None:
    source = 'import x\r\nm = A.from_pretrained("org/m")\r\n# end\r\n'
    (tmp_path / "a.py").write_bytes(source.encode())
    plan = plan_fixes(tmp_path, [_ref(2)], LOCK)
    apply(plan, tmp_path)
    assert (tmp_path / "a.py").read_bytes() == source.replace(
        '"org/m")', f'"org/m", revision="{C}")'
    ).encode()


def test_notes_where_nothing_can_be_edited(tmp_path: Path) -> None:
    source = (
        'MODEL = "org/m"\nrev = get()\nm = A.from_pretrained(MODEL, revision=rev)\n'
        'print("org/unpinned")\n'
    )
    fixed, notes = _fixed(
        tmp_path,
        source,
        _ref(1, via="MODEL"),
        _ref(3),
        _ref(4, value="org/unpinned"),
    )
    assert fixed == source
    assert any("flows through MODEL" in n for n in notes)
    assert any("expression" in n for n in notes)
    assert any("not pinned in the lock" in n for n in notes)


def test_a_loader_that_takes_no_revision_is_left_alone(tmp_path: Path) -> None:
    source = 'client.chat(model="org/m")\n'
    fixed, notes = _fixed(tmp_path, source, _ref(1, loader="client.chat"))
    assert fixed == source and notes


def test_two_references_in_one_call_make_one_edit(tmp_path: Path) -> None:
    source = 'A.from_pretrained("org/m", cache_dir="org/m")\n'
    fixed, _ = _fixed(tmp_path, source, _ref(1), _ref(1))
    assert fixed.count("revision=") == 1


def test_notebooks_and_unparsable_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def (:\n")
    plan = plan_fixes(tmp_path, [_ref(1), _ref(3, path="nb.ipynb")], LOCK)
    assert plan.files == []
    assert any("notebooks" in n for n in plan.notes) and any(
        "cannot be parsed" in n for n in plan.notes
    )


def test_code_pinned_revisions_are_not_touched(tmp_path: Path) -> None:
    source = f'A.from_pretrained("org/m", revision="{"f" * 40}")\n'
    fixed, notes = _fixed(tmp_path, source, _ref(1, revision="f" * 40))
    assert fixed == source and notes == []


def test_diff_is_unified(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('A.from_pretrained("org/m")\n')
    diff = plan_fixes(tmp_path, [_ref(1)], LOCK).diff()
    assert diff.splitlines()[:3] == ["--- a/a.py", "+++ b/a.py", "@@ -1 +1 @@"]
