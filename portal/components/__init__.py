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
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from flask import Flask


def attributes(value: Any) -> Markup:
    """GOV.UK Frontend's `govukAttributes` macro: ` name="value"` pairs.

    A string is output as it is (the caller's trusted markup, as in the macro). In a mapping, each
    item is a value or `{"value": ..., "optional": bool}`: a missing (None) value gives `name=""`,
    unless optional, when it is left out (as is an optional False); an optional True gives the
    bare name. Values are written as Nunjucks writes them: `true`, `false`, and 2.0 as `2`."""
    if isinstance(value, str):
        return Markup(value)  # noqa: S704 - attributes given as a string are the template's own markup
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
        if optional and (item_value is None or item_value is False):
            continue
        parts.append(f' {escape(name)}="{nunjucks_text(item_value)}"')
    return Markup("".join(parts))  # noqa: S704 - every name and value above is escaped


_EMPTY: Mapping[str, Any] = {}


def options(value: Any) -> Mapping[str, Any]:
    """A mapping as it is; anything else, as Nunjucks would read it (no options at all)."""
    return value if value.__class__ is dict or isinstance(value, Mapping) else _EMPTY


def truthy(value: Any) -> bool:
    """JavaScript's truthiness, which Nunjucks' `if` uses: an empty mapping or list is true."""
    return bool(value) or isinstance(value, (Mapping, list, tuple))


def text(value: Any) -> str:
    """`{{ value }}` as Nunjucks writes it, escaped: nothing for None, `true`/`false`, 2.0 as `2`."""
    if value.__class__ is str:  # the usual case, escaped as markupsafe would be, without its overhead
        return (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
        )
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(escape(value))


def nunjucks_text(value: Any) -> Markup:
    """`text(value)` as Markup."""
    return Markup(text(value))  # noqa: S704 - escaped by text()


def text_or_html(options: Mapping[str, Any] | None) -> Markup:
    """`params.html | safe if params.html else params.text`, the pattern every component uses."""
    if not options:
        return Markup("")
    html = options.get("html")
    if html:
        return Markup(html)  # noqa: S704 - `html` options are trusted markup, as in GOV.UK Frontend
    return nunjucks_text(options.get("text"))


def register(app: Flask) -> None:
    """Each renderer as a Jinja global under its macro's name: templates call them as macros."""
    from portal.components.pagination import pagination
    from portal.components.summary_list import summary_list
    from portal.components.table import table
    from portal.components.tag import tag
    from portal.components.task_list import task_list

    app.jinja_env.globals.update(
        govukPagination=pagination,
        govukSummaryList=summary_list,
        govukTable=table,
        govukTag=tag,
        govukTaskList=task_list,
    )
