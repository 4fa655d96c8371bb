"""GOV.UK Frontend's tag (`govukTag`): `dist/govuk/components/tag/template.njk`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from portal.components import attributes, text_or_html


def tag(params: Mapping[str, Any]) -> Markup:
    classes = f" {params['classes']}" if params.get("classes") else ""
    return Markup('<strong class="govuk-tag{}"{}>{}</strong>').format(
        classes, attributes(params.get("attributes")), text_or_html(params)
    )
