"""A GET filter form's HTML, rendered once for each set of values and reused: the GOV.UK form
macros cost more than the rest of a list page (docs/benchmarks.md, issues 10 and 11). Only for
forms whose HTML depends on nothing but their values (never the person, never a CSRF token)."""

from flask import current_app, render_template
from markupsafe import Markup
from wtforms import Form

KEPT = 256


def filters_html(template: str, form: Form) -> Markup:
    """The form in `template`, from the cache when these values were rendered before. A form
    with errors is rendered afresh. The cache is per app and per template, at most KEPT entries."""
    if form.errors:
        return Markup(render_template(template, form=form))  # noqa: S704 - autoescaped
    cache: dict[tuple, Markup] = current_app.extensions.setdefault("filter_forms", {}).setdefault(template, {})
    key = tuple((field.name, field.data) for field in form)
    html = cache.get(key)
    if html is None:
        if len(cache) >= KEPT:
            cache.clear()
        html = cache[key] = Markup(render_template(template, form=form))  # noqa: S704 - autoescaped
    return html
