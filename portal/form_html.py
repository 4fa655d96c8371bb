"""A GET filter form's HTML, rendered once for each set of values and reused: the GOV.UK form
macros cost more than the rest of a list page (docs/benchmarks.md, issues 10 and 11). Only for
forms whose HTML depends on nothing but their values (never the person, never a CSRF token); a
form whose choices change carries them in a field of its own (portal/coproduction/forms.py)."""

from flask import render_template
from markupsafe import Markup
from wtforms import Form

from portal.render_cache import remember

# Fields whose data is not something a person typed or chose.
NOT_TYPED = frozenset({"CSRFTokenField", "HiddenField", "SubmitField"})


def filters_html(template: str, form: Form) -> Markup:
    """The form in `template`, from the cache when these values were rendered before. A form
    with errors is rendered afresh. The cache is per app and per template (portal/render_cache.py)."""
    if form.errors:
        return Markup(render_template(template, form=form))  # noqa: S704 - autoescaped
    key = tuple((field.name, field.data) for field in form)
    return remember(f"filters:{template}", key, lambda: Markup(render_template(template, form=form)))  # noqa: S704


def blank_fields_html(template: str, form: Form) -> Markup:
    """The visible fields of a form nobody has typed in yet (the reply box under a conversation),
    rendered once per app and reused. `template` must render only fields that are the same for
    everyone while empty: the page renders the CSRF token and any one-time key itself. A form
    with errors or with anything typed or chosen is rendered afresh."""
    typed = any(field.data for field in form if field.type not in NOT_TYPED)
    if form.errors or typed:
        return Markup(render_template(template, form=form))  # noqa: S704 - autoescaped
    return remember(f"blank:{template}", type(form).__name__, lambda: Markup(render_template(template, form=form)))  # noqa: S704
