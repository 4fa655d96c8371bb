"""GOV.UK Frontend's tag (`govukTag`): `dist/govuk/components/tag/template.njk`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from portal.components import attributes, text_or_html


def tag(params: Mapping[str, Any]) -> Markup:
    """Built with an f-string of escaped parts: pages show dozens of tags (the caseload 75)."""
    classes = params.get("classes")
    extra = f" {escape(classes)}" if classes else ""
    given = params.get("attributes")
    attrs = attributes(given) if given else ""
    return Markup(f'<strong class="govuk-tag{extra}"{attrs}>{text_or_html(params)}</strong>')  # noqa: S704 - escaped above
