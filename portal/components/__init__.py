"""GOV.UK Frontend components rendered in Python, for the ones a page repeats many times (summary
lists, tags, tables): the same HTML as GOV.UK Frontend's own Nunjucks templates, from the same
options, at a fraction of the cost of the Jinja ports' macros (each of which calls several more
macros per row). Forms keep the macros (govuk-frontend-wtf).

Every renderer here is checked against the design system's published examples: GOV.UK Frontend
ships `dist/govuk/components/<name>/fixtures.json` (options and the exact HTML they must give),
and tests/components runs each fixture of each component rendered here.

`register(app)` makes each renderer a Jinja global under the macro's own name (`govukTag`,
`govukSummaryList`, ...), so a template calls it exactly as it would call the macro.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape


def attributes(value: Any) -> Markup:
    """GOV.UK Frontend's `govukAttributes` macro: ` name="value"` pairs.

    A string (or Markup) is output as it is. In a mapping, each item is a value or
    `{"value": ..., "optional": bool}`: a missing (None) value gives `name=""`, unless optional,
    when it is left out (as is an optional False); an optional True gives the bare name. Booleans
    are written as Nunjucks writes them, `true` and `false`."""
    if value is None or value is False:
        return Markup("")
    if isinstance(value, str):
        return Markup(value) if isinstance(value, Markup) else Markup(value)
    if not isinstance(value, Mapping):
        return Markup("")
    parts: list[str] = []
    for name, item in value.items():
        options = item if isinstance(item, Mapping) else {"value": item, "optional": False}
        item_value = options.get("value")
        optional = options.get("optional") is True
        if optional and item_value is True:
            parts.append(f" {escape(name)}")
            continue
        if optional and item_value in (None, False):
            continue
        parts.append(f' {escape(name)}="{_attribute_text(item_value)}"')
    return Markup("".join(parts))


def _attribute_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(escape(value))


def text_or_html(options: Mapping[str, Any] | None, html_key: str = "html", text_key: str = "text") -> Markup:
    """`params.html | safe if params.html else params.text`, the pattern every component uses."""
    if not options:
        return Markup("")
    html = options.get(html_key)
    if html:
        return Markup(html)
    text = options.get(text_key)
    return escape(text) if text not in (None, False) else Markup("")
