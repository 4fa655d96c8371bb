"""GOV.UK Frontend's table (`govukTable`): `dist/govuk/components/table/template.njk`.

The options are the macro's: `caption` (text) and `captionClasses`; `head`, a list of header cells;
`rows`, a list of rows, each a list of cells; `firstCellIsHeader`; and `classes` and `attributes`
for the table. A cell takes `text` or `html`, `format` (`"numeric"`), `classes`, `colspan`,
`rowspan` and `attributes` (`format` is ignored on a row's header cell, as the template ignores it).

Truthiness follows the template's JavaScript rather than Python's where the two differ: an empty
`head` or an empty row is still rendered (an empty list is true in JavaScript), while a `false` or
`null` row is left out, and a cell that is not a mapping gives an empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from portal.components import attributes
from portal.components import text as _text
from portal.components import truthy as _truthy

_NO_OPTIONS: Mapping[str, Any] = {}


def table(params: Mapping[str, Any]) -> Markup:
    """Render a table exactly as the `govukTable` macro does."""
    get = params.get
    parts = [f'<table class="govuk-table{_classes(get("classes"))}"{attributes(get("attributes"))}>\n']

    caption = get("caption")
    if caption:
        parts.append(
            f'<caption class="govuk-table__caption{_classes(get("captionClasses"))}">{_text(caption)}</caption>\n'
        )

    head = get("head")
    if _truthy(head):
        parts.append('<thead class="govuk-table__head">\n<tr class="govuk-table__row">\n')
        for item in head:
            cell = item if isinstance(item, Mapping) else _NO_OPTIONS
            number_format = cell.get("format")
            modifier = f" govuk-table__header--{escape(number_format)}" if number_format else ""
            parts.append(
                f'<th scope="col" class="govuk-table__header{modifier}{_classes(cell.get("classes"))}"'
                f"{_common_attributes(cell)}>{_content(cell)}</th>\n"
            )
        parts.append("</tr>\n</thead>\n")

    parts.append('<tbody class="govuk-table__body">\n')
    first_cell_is_header = _truthy(get("firstCellIsHeader"))
    for row in get("rows") or ():
        if not _truthy(row):
            continue
        parts.append('<tr class="govuk-table__row">\n')
        for index, item in enumerate(row):
            cell = item if isinstance(item, Mapping) else _NO_OPTIONS
            if index == 0 and first_cell_is_header:
                parts.append(
                    f'<th scope="row" class="govuk-table__header{_classes(cell.get("classes"))}"'
                    f"{_common_attributes(cell)}>{_content(cell)}</th>\n"
                )
                continue
            number_format = cell.get("format")
            modifier = f" govuk-table__cell--{escape(number_format)}" if number_format else ""
            parts.append(
                f'<td class="govuk-table__cell{modifier}{_classes(cell.get("classes"))}"'
                f"{_common_attributes(cell)}>{_content(cell)}</td>\n"
            )
        parts.append("</tr>\n")
    parts.append("</tbody>\n</table>\n")
    return Markup("".join(parts))  # noqa: S704 (every value in the parts is escaped, or is html given as html)


def _common_attributes(cell: Mapping[str, Any]) -> str:
    """The template's `commonAttributes`: colspan, rowspan, then the cell's own attributes."""
    colspan = cell.get("colspan")
    rowspan = cell.get("rowspan")
    extra = cell.get("attributes")
    if not (colspan or rowspan or extra):
        return ""
    return "".join(
        (
            f' colspan="{_text(colspan)}"' if colspan else "",
            f' rowspan="{_text(rowspan)}"' if rowspan else "",
            attributes(extra) if extra else "",
        )
    )


def _content(cell: Mapping[str, Any]) -> str:
    """`cell.html | safe if cell.html else cell.text`."""
    html = cell.get("html")
    if html:
        return str(html)
    text = cell.get("text")
    return escape(text) if type(text) is str else _text(text)  # a string is the usual case: skip _text's checks


def _classes(classes: Any) -> str:
    """` classes` (escaped, with its leading space) when given, else nothing."""
    return f" {escape(classes)}" if classes else ""



