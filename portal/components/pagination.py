"""GOV.UK Frontend's pagination (`govukPagination`): `dist/govuk/components/pagination/template.njk`.

The options are the macro's: `items`, the numbered pages (each `number`, `href`, `current`,
`visuallyHiddenText` and `attributes`, or `{"ellipsis": True}`); `previous` and `next` links (each
`href`, `text` or `html`, `labelText` and `attributes`); `landmarkLabel`; `classes`; `attributes`.

With no `items` but a previous or next link, the component is in block mode: both arrows come
before their titles and a link's `labelText` is shown under its title. Truthiness follows the
template's JavaScript where it differs from Python's: `items=[]` is not block mode and gives an
empty list, and `previous={}` (with no `href`, so not shown) still makes it block mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from portal.components import attributes

_ARROW_PREVIOUS = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg"'
    ' height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n'
    '  <path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931'
    '-4.293-1.414-1.414z"></path>\n'
    "</svg>"
)
_ARROW_NEXT = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg"'
    ' height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">\n'
    '  <path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441'
    '-6.4062-6.7246-6.7266z"></path>\n'
    "</svg>"
)
_DEFAULT_TITLES = {
    "prev": 'Previous<span class="govuk-visually-hidden"> page</span>',
    "next": 'Next<span class="govuk-visually-hidden"> page</span>',
}
_MISSING = object()


def pagination(params: Mapping[str, Any]) -> Markup:
    """Render pagination exactly as the `govukPagination` macro does."""
    get = params.get
    items = get("items")
    previous = get("previous")
    next_link = get("next")
    block_level = not _truthy(items) and (_truthy(next_link) or _truthy(previous))

    classes = " govuk-pagination--block" if block_level else ""
    if get("classes"):
        classes += f" {escape(get('classes'))}"
    label = escape(get("landmarkLabel") or "Pagination")
    parts = [f'<nav class="govuk-pagination{classes}" aria-label="{label}"{attributes(get("attributes"))}>\n']

    if isinstance(previous, Mapping) and previous.get("href"):
        parts.append(_arrow_link(previous, "prev", block_level))
    if _truthy(items):
        parts.append('<ul class="govuk-pagination__list">\n')
        parts.extend(_page_item(item) for item in items if isinstance(item, Mapping) and item)
        parts.append("</ul>\n")
    if isinstance(next_link, Mapping) and next_link.get("href"):
        parts.append(_arrow_link(next_link, "next", block_level))

    parts.append("</nav>\n")
    return Markup("".join(parts))  # noqa: S704 (every value in the parts is escaped, or is html given as html)


def _arrow_link(link: Mapping[str, Any], link_type: str, block_level: bool) -> str:
    """The template's `_arrowLink` macro: a previous ("prev") or next ("next") link."""
    arrow = _ARROW_PREVIOUS if link_type == "prev" else _ARROW_NEXT
    label_text = link.get("labelText")
    html = link.get("html")
    if html:
        # `html | safe | trim | indent(8)`: the template indents the lines after the first.
        title = str(html).strip().replace("\n", "\n        ")
    elif link.get("text"):
        title = _text(link["text"]).strip()
    else:
        title = _DEFAULT_TITLES[link_type]
    decorated = " govuk-pagination__link-title--decorated" if block_level and not label_text else ""

    parts = [
        f'<div class="govuk-pagination__{link_type}">\n'
        f'<a class="govuk-link govuk-pagination__link" href="{_text(link.get("href"))}" rel="{link_type}"'
        f"{attributes(link.get('attributes'))}>\n"
    ]
    if block_level or link_type == "prev":
        parts.append(f"{arrow}\n")
    parts.append(f'<span class="govuk-pagination__link-title{decorated}">\n{title}\n</span>\n')
    if label_text and block_level:
        parts.append(
            '<span class="govuk-visually-hidden">:</span>\n'
            f'<span class="govuk-pagination__link-label">{_text(label_text)}</span>\n'
        )
    if not block_level and link_type == "next":
        parts.append(f"{arrow}\n")
    parts.append("</a>\n</div>\n")
    return "".join(parts)


def _page_item(item: Mapping[str, Any]) -> str:
    """The template's `_pageItem` macro: a numbered page, or an ellipsis."""
    current = item.get("current")
    ellipsis = item.get("ellipsis")
    classes = "govuk-pagination__item"
    if current:
        classes += " govuk-pagination__item--current"
    if ellipsis:
        return f'<li class="{classes} govuk-pagination__item--ellipsis">\n&ctdot;\n</li>\n'

    # `visuallyHiddenText | default("Page " + number)`: the default is only for a missing value.
    label = item.get("visuallyHiddenText", _MISSING)
    if label is _MISSING:
        label = "Page " + _js_string(item.get("number", _MISSING))
    aria_current = ' aria-current="page"' if current else ""
    return (
        f'<li class="{classes}">\n'
        f'<a class="govuk-link govuk-pagination__link" href="{_text(item.get("href"))}" aria-label="{_text(label)}"'
        f"{aria_current}{attributes(item.get('attributes'))}>\n"
        f"{_text(item.get('number'))}\n</a>\n</li>\n"
    )


def _text(value: Any) -> str:
    """A value as Nunjucks outputs it with autoescaping: nothing for None, `true`/`false` for
    booleans, a whole float without its `.0`, anything else escaped."""
    if value is None:
        return ""
    return escape(_js_string(value))


def _js_string(value: Any) -> str:
    """A value as JavaScript turns it into a string (for `"Page " + number`)."""
    if value is _MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness, where it differs from Python's: empty lists and mappings are true."""
    if isinstance(value, (list, tuple, Mapping)):
        return True
    return bool(value)
