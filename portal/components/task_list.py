"""GOV.UK Frontend's task list (`govukTaskList`): `dist/govuk/components/task-list/template.njk`.

The options, and the HTML they give, are the macro's own, apart from indentation (where the
template puts whitespace between two tags this puts a single newline; `html` options are trimmed,
as the template trims them, but not re-indented). Status tags are drawn by the tag renderer
(`portal.components.tag.tag`), as the template calls `govukTag(item.status.tag)`.

Nunjucks' semantics are kept where they differ from Python's: an empty mapping or list is true
(so `hint: {}` still draws an empty hint, and `status: {"tag": {}}` an empty tag), falsy items
(None, False, "", 0) are left out but still count towards the numbering of the ids
(`loop.index`), and `{{ value }}` writes True and False as `true` and `false`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from portal.components import attributes
from portal.components import options as _options
from portal.components import text as _text
from portal.components import truthy as _truthy
from portal.components.tag import tag


def _html(value: Any) -> str:
    """`value | safe | trim`: as given (not escaped), trimmed, written as JavaScript writes it."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _content(options: Mapping[str, Any]) -> str:
    """`options.html | safe | trim if options.html else options.text`."""
    html = options.get("html")
    return _html(html) if html else _text(options.get("text"))


def _classes(options: Mapping[str, Any]) -> str:
    """`{%- if options.classes %} {{ options.classes }}{% endif %}`."""
    classes = options.get("classes")
    return f" {_text(classes)}" if classes else ""


def task_list(params: Mapping[str, Any]) -> Markup:
    """Render `govukTaskList(params)`: one `<li>` per (truthy) item, with its title, hint and status."""
    id_prefix = params.get("idPrefix")
    id_prefix = _text(id_prefix) if id_prefix else "task-list"
    items = params.get("items")
    items = items if isinstance(items, (list, tuple)) else ()
    given = params.get("attributes")
    attrs = attributes(given) if given else ""

    out = ['<ul class="govuk-task-list', _classes(params), '"', attrs, ">\n"]
    append = out.append
    for index, item in enumerate(items, 1):
        if not item and not isinstance(item, (Mapping, list, tuple)):  # None, False, "" and 0 are left out
            continue
        item = _options(item)
        hint_id = f"{id_prefix}-{index}-hint"
        status_id = f"{id_prefix}-{index}-status"
        href = item.get("href")
        title = _options(item.get("title"))
        hint = item.get("hint")
        has_hint = _truthy(hint)

        append('<li class="govuk-task-list__item')
        if href:
            append(" govuk-task-list__item--with-link")
        append(_classes(item))
        append('">\n<div class="govuk-task-list__name-and-hint">\n')
        if href:
            append('<a class="govuk-link govuk-task-list__link')
            append(_classes(title))
            append(f'" href="{_text(href)}" aria-describedby="')
            if has_hint:
                append(f"{hint_id} ")
            append(f'{status_id}">\n{_content(title)}\n</a>\n')
        else:
            title_classes = title.get("classes")
            append(f'<div class="{_text(title_classes)}">\n' if title_classes else "<div>\n")
            append(f"{_content(title)}\n</div>\n")
        if has_hint:
            append(f'<div id="{hint_id}" class="govuk-task-list__hint">\n{_content(_options(hint))}\n</div>\n')

        status = _options(item.get("status"))
        status_tag = status.get("tag")
        append('</div>\n<div class="govuk-task-list__status')
        append(_classes(status))
        append(f'" id="{status_id}">\n')
        append(str(tag(_options(status_tag))) if _truthy(status_tag) else _content(status))
        append("\n</div>\n</li>\n")
    append("</ul>")

    # Safe: every piece of text above went through _text (escape); only `html` options, the tag
    # renderer's own (escaped) output and `attributes` given as a string pass as they are.
    return Markup("".join(out))  # noqa: S704 - escaped above
