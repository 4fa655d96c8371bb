"""Problems the browser checks found on pages that other people own and are fixing.

A check that finds only problems listed here is an expected failure (xfail, with the list), so
that it stays visible in every run without stopping the build; anything not listed fails. When a
page is fixed, delete its entry: an entry that no longer matches anything is reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.browser.support import CheckedPage


@dataclass(frozen=True)
class KnownProblem:
    check: str  # "axe", "vnu", "reflow" or "console"
    path: str  # a regular expression for the path the browser ended on
    detail: str  # a regular expression for the problem as reported (rule, element, message)
    owner: str  # who is fixing it
    fix: str  # what to do


KNOWN_PROBLEMS: tuple[KnownProblem, ...] = ()


def _path(where: CheckedPage | str | None) -> str:
    """The path of a checked page, or of a page's address."""
    if where is None:
        return ""
    return urlsplit(where if isinstance(where, str) else where.url).path


def known(check: str, page: CheckedPage | str | None, detail: str) -> KnownProblem | None:
    for problem in KNOWN_PROBLEMS:
        if problem.check == check and re.search(problem.path, _path(page)) and re.search(problem.detail, detail):
            return problem
    return None


def report(check: str, problems: list[tuple[CheckedPage | str | None, str]], heading: str) -> None:
    """Fail on problems not listed above; xfail, listing them, when every problem is listed."""
    unknown = [f"{page}\n    {detail}" for page, detail in problems if known(check, page, detail) is None]
    assert not unknown, f"{heading}:\n" + "\n".join(unknown)
    listed: dict[KnownProblem, set[str]] = {}
    for page, detail in problems:
        listed.setdefault(known(check, page, detail), set()).add(_path(page))
    if listed:
        pages = "; ".join(f"{problem.owner}: {', '.join(sorted(paths))}" for problem, paths in listed.items())
        fixes = " ".join(sorted({problem.fix for problem in listed}))
        pytest.xfail(f"known problems (tests/browser/known_problems.py) on {pages}. To fix: {fixes}")
