"""The themes feedback is tagged with: the list with how much each tags, creating one, renaming
one and merging one into another (its feedback and actions move to the theme kept)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import roles
from portal.coproduction import bp, queries, services
from portal.coproduction.forms import MergeThemeForm, NewThemeForm, RenameThemeForm
from portal.models import Role


@bp.route("/themes", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def themes():
    form = NewThemeForm()
    if form.validate_on_submit():
        try:
            theme = services.create_theme(form.name.data, current_user)
        except services.ThemeProblem as problem:
            form.name.errors.append(str(problem))
        else:
            flash(f"Theme {theme.name} created.", "success")
            return redirect(url_for("coproduction.themes"))
    return render_template(
        "coproduction/themes.html", form=form, themes=queries.themes_with_counts(),
    ), 400 if form.errors else 200


def _theme(theme_id: int):
    theme = queries.theme(theme_id)
    if theme is None:
        abort(404)
    return theme


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def theme(theme_id: int):
    theme = _theme(theme_id)
    form = RenameThemeForm()
    if form.validate_on_submit():
        try:
            services.rename_theme(theme, form.name.data, current_user)
        except services.ThemeProblem as problem:
            form.name.errors.append(str(problem))
        else:
            flash(f"Theme renamed to {form.name.data}.", "success")
            return redirect(url_for("coproduction.themes"))
    elif not form.is_submitted():
        form.name.data = theme.name
    return render_template("coproduction/theme.html", form=form, theme=theme), 400 if form.errors else 200


@bp.route("/themes/<int:theme_id>/merge", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def merge_theme(theme_id: int):
    theme = _theme(theme_id)
    others = [other for other in queries.themes() if other.id != theme.id]
    form = MergeThemeForm()
    form.into.choices = [(other.id, other.name) for other in others]
    if form.validate_on_submit():
        kept = next((other for other in others if other.id == form.into.data), None)
        if kept is None:
            form.into.errors.append("Select the theme to merge it into")
        else:
            gone_name = theme.name
            services.merge_themes(theme, kept, current_user)
            flash(f"{gone_name} merged into {kept.name}.", "success")
            return redirect(url_for("coproduction.themes"))
    return render_template(
        "coproduction/merge_theme.html", form=form, theme=theme, others=others,
    ), 400 if form.errors else 200
