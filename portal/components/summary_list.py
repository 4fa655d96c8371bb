"""GOV.UK Frontend's summary list (`govukSummaryList`): `dist/govuk/components/summary-list/template.njk`.

The options, and the HTML they give, are the macro's own, apart from indentation: where the
template puts whitespace between two tags this puts a single newline, and where it puts none
this puts none (so inline-block action links keep the gap between them); `html` options are
passed through as given, not re-indented. Nunjucks' semantics are
kept where they differ from Python's: an empty mapping or list is true (so `card: {}` still draws
a card, and a row whose `actions.items` is `[]` is not marked `--no-actions`), and `{{ value }}`
writes True and False as `true` and `false`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from portal.components import attributes
from portal.components import options as _options
from portal.components import text as _text
from portal.components import truthy as _truthy


def _items(actions: Any) -> list[Any] | tuple[Any, ...]:
    """`actions.items` when it is a list (the only kind whose `.length` the template counts)."""
    items = _options(actions).get("items")
    return items if isinstance(items, (list, tuple)) else ()


def _classes(options: Mapping[str, Any]) -> str:
    """`{%- if options.classes %} {{ options.classes }}{% endif %}`."""
    classes = options.get("classes")
    return f" {_text(classes)}" if classes else ""


def _action_link(action: Any, title_suffix: str) -> str:
    """The template's `_actionLink`; `title_suffix` is its ` (card title)`, worked out once."""
    action = _options(action)
    html = action.get("html")
    hidden = action.get("visuallyHiddenText")
    parts = [
        '<a class="govuk-link',
        _classes(action),
        '" href="',
        _text(action.get("href")),
        '"',
        attributes(action["attributes"]) if action.get("attributes") else "",
        ">",
        str(html) if html else _text(action.get("text")),
    ]
    if hidden or title_suffix:
        parts.append('<span class="govuk-visually-hidden">')
        if hidden:
            parts.append(f" {_text(hidden)}")
        parts.append(title_suffix)
        parts.append("</span>")
    parts.append("</a>")
    return "".join(parts)


def summary_list(params: Mapping[str, Any]) -> Markup:
    """Render `govukSummaryList(params)`: the list, inside a summary card when `card` is given."""
    rows = params.get("rows")
    rows = rows if isinstance(rows, (list, tuple)) else ()
    card = params.get("card")
    card_options = _options(card)
    title = card_options.get("title")

    # Every action link names the card it belongs to, so that is worked out once, not per link.
    if _truthy(title):
        title_options = _options(title)
        title_html = title_options.get("html")
        title_content = str(title_html) if title_html else _text(title_options.get("text"))
        title_suffix = f" ({title_content})"
    else:
        title_suffix = ""

    # Two columns or three: once any row has actions, rows without them get an empty cell.
    any_row_has_actions = any(_items(row.get("actions")) for row in rows if isinstance(row, Mapping))

    out = ['<dl class="govuk-summary-list', _classes(params), '"', attributes(params.get("attributes")), ">\n"]
    append = out.append
    for row in rows:
        if not row and not isinstance(row, Mapping):  # None, False, "" and 0 are left out
            continue
        row = _options(row)
        actions = row.get("actions")
        items = _items(actions)
        append('<div class="govuk-summary-list__row')
        if any_row_has_actions and not _truthy(_options(actions).get("items")):
            append(" govuk-summary-list__row--no-actions")
        append(_classes(row))

        key = _options(row.get("key"))
        html = key.get("html")
        append('">\n<dt class="govuk-summary-list__key')
        append(_classes(key))
        append('">\n')
        append(str(html).strip() if html else _text(key.get("text")))

        value = _options(row.get("value"))
        html = value.get("html")
        append('\n</dt>\n<dd class="govuk-summary-list__value')
        append(_classes(value))
        append('">\n')
        append(str(html).strip() if html else _text(value.get("text")))
        append("\n</dd>\n")

        if items:
            append('<dd class="govuk-summary-list__actions')
            append(_classes(actions))
            append('">\n')
            if len(items) == 1:
                append(_action_link(items[0], title_suffix))
            else:
                append('<ul class="govuk-summary-list__actions-list">\n')
                for action in items:
                    append('<li class="govuk-summary-list__actions-list-item">\n')
                    append(_action_link(action, title_suffix))
                    append("\n</li>\n")
                append("</ul>")
            append("\n</dd>\n")
        append("</div>\n")
    append("</dl>")

    # Safe: every piece of text above went through _text (escape); only `html` options pass as they are.
    html = "".join(out)
    if _truthy(card):
        html = _summary_card(card_options, title, title_suffix, html)
    return Markup(html)  # noqa: S704


def _summary_card(card: Mapping[str, Any], title: Any, title_suffix: str, content: str) -> str:
    """The template's `_summaryCard`: the title and card actions, around the list."""
    parts = [
        '<div class="govuk-summary-card',
        _classes(card),
        '"',
        attributes(card.get("attributes")),
        '>\n<div class="govuk-summary-card__title-wrapper">\n',
    ]
    if _truthy(title):
        title = _options(title)
        level = _text(title.get("headingLevel") or 2)
        html = title.get("html")
        parts += [
            f'<h{level} class="govuk-summary-card__title',
            _classes(title),
            '">\n',
            str(html).strip() if html else _text(title.get("text")),
            f"\n</h{level}>\n",
        ]
    actions = card.get("actions")
    items = _items(actions)
    if len(items) == 1:
        parts += ['<div class="govuk-summary-card__actions', _classes(_options(actions)), '">\n']
        parts += [_action_link(items[0], title_suffix), "\n</div>\n"]
    elif items:
        parts += ['<ul class="govuk-summary-card__actions', _classes(_options(actions)), '">\n']
        for action in items:
            parts += ['<li class="govuk-summary-card__action">\n', _action_link(action, title_suffix), "\n</li>\n"]
        parts.append("</ul>\n")
    parts += ['</div>\n\n<div class="govuk-summary-card__content">\n', content, "\n</div>\n</div>"]
    return "".join(parts)
