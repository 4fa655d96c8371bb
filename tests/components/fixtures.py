"""GOV.UK Frontend's published examples (`fixtures.json`) and an HTML comparison that ignores
only whitespace: the same elements, in the same order, with the same attributes (in any order)
and the same text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

COMPONENTS = Path(__file__).resolve().parents[2] / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "components"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def fixtures(component: str) -> list[dict]:
    """Every fixture of a component, for pytest.mark.parametrize (ids are the fixture names)."""
    return json.loads((COMPONENTS / component / "fixtures.json").read_text())["fixtures"]


class _Canonical(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self._text: list[str] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._text)).strip()
        if text:
            self.tokens.append(("text", text))
        self._text = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        normalised = tuple(sorted((name, re.sub(r"\s+", " ", value or "").strip()) for name, value in attrs))
        self.tokens.append(("start", tag, normalised))
        if tag in VOID:
            self.tokens.append(("end", tag))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.tokens.append(("end", tag))

    def handle_endtag(self, tag):
        self._flush()
        if tag not in VOID:
            self.tokens.append(("end", tag))

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self._flush()


def canonical(html: str) -> list[tuple]:
    parser = _Canonical()
    parser.feed(str(html))
    parser.close()
    return parser.tokens


def assert_same_html(actual: str, expected: str) -> None:
    """Whitespace normalised: runs of whitespace are one space, and whitespace between tags goes."""
    assert canonical(actual) == canonical(expected), f"\nactual:   {actual}\nexpected: {expected}"
