"""Suggested themes for a comment: a plain keyword match of the comment's words against the
names of the themes that exist. Hints only: a person decides, and nothing is ever tagged by this.

A theme's word matches a comment's word that starts with the theme word's stem (the word less its
last 3 letters, at least 4 letters): "Waiting times" suggests itself for "we waited ages" ("wait"),
"Communication" for "communicate" ("communicat"). Words of 3 letters or fewer ("and", "the") are
left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"\w+")
SHORTEST_WORD = 4


def _stem(word: str) -> str:
    return word[: max(SHORTEST_WORD, len(word) - 3)]


def words(text: str) -> set[str]:
    return {word for word in WORD.findall(text.casefold()) if len(word) >= SHORTEST_WORD}


def suggested(comment: str, theme_names: Iterable[str], already: Iterable[str] = ()) -> list[str]:
    """The names of themes whose words appear in the comment, less those already tagged."""
    said = words(comment)
    taken = set(already)
    found = []
    for name in theme_names:
        if name in taken:
            continue
        stems = {_stem(word) for word in words(name)}
        if any(word.startswith(stem) for stem in stems for word in said):
            found.append(name)
    return found
