"""Glob patterns checked when they are read, so a pattern that can never match is an error."""

from __future__ import annotations

import re

import pathspec

__all__ = ["gitignore_problem", "glob_problem"]


def glob_problem(pattern: str) -> str | None:
    """What is wrong with an ``fnmatch``-style glob, or ``None``.

    ``fnmatch`` accepts a reversed range such as ``[z-a]`` and turns it into a class that
    matches nothing, so a deny or watch entry written that way would silently never fire.
    """
    i, n = 0, len(pattern)
    while i < n:
        if pattern[i] != "[":
            i += 1
            continue
        j = i + 1
        if j < n and pattern[j] in "!^":
            j += 1
        if j < n and pattern[j] == "]":
            j += 1  # a leading ']' is a literal member of the class
        while j < n and pattern[j] != "]":
            j += 1
        if j >= n:
            return None  # an unclosed '[' is a literal '[' in fnmatch and in gitignore
        members = pattern[i + 1 : j].lstrip("!^")
        for m in re.finditer(r"(.)-(.)", members):
            low, high = m.group(1), m.group(2)
            if low > high:
                return f"the character range {low}-{high} in {pattern!r} is reversed"
        i = j + 1
    return None


def gitignore_problem(pattern: str) -> str | None:
    """What is wrong with a gitignore-style pattern (``--exclude``, an ignore's ``path``)."""
    problem = glob_problem(pattern)
    if problem is not None:
        return problem
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern]).match_file("probe")
    except (ValueError, re.error) as exc:
        return f"{pattern!r} is not a valid pattern: {exc}"
    return None
