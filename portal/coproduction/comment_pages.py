"""The families' comments: filters, a search, a page of feedback newest month first, each
comment's own page to tag it with themes, and the CSV export of the current filter.

What the team sees of each: its rating, stage, month, source and themes, and the family member's
name and email only when they agreed to be contacted. Never a day, an account or a child."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal import audit, data_versions, form_html, render_cache
from portal.access import roles
from portal.conversations.reply_by import today_in_england
from portal.coproduction import bp, export, hints, queries, services
from portal.coproduction.forms import CommentFiltersForm, TagForm
from portal.ehcp.stages import Stage
from portal.models import Role
from portal.pagination import page_number, pagination_params

PAGE_SIZE = 25
FILTERS = "coproduction/_comment_filters.html"
FILTER_NAMES = ("q", "stage", "rating", "month", "theme", "comment")


def _filters(form: CommentFiltersForm) -> queries.CommentFilters:
    stage = form.stage.data or ""
    month = form.month.data or ""
    return queries.CommentFilters(
        stage=Stage(stage) if stage and stage != queries.NO_STAGE else None,
        no_stage=stage == queries.NO_STAGE,
        rating=int(form.rating.data) if form.rating.data else None,
        month=date.fromisoformat(f"{month}-01") if month else None,
        theme_id=int(form.theme.data) if form.theme.data else None,
        comment=form.comment.data or queries.WITH_COMMENT,
        search=form.q.data or "",
    )


def _filter_args(form: CommentFiltersForm) -> dict[str, str]:
    """The filters as query string values, for the pagination links and the CSV link."""
    return {name: form[name].data for name in FILTER_NAMES
            if form[name].data and form[name].data != form[name].default}


def _form(version: int | None = None) -> CommentFiltersForm:
    """The filters, offering the themes of this version of the feedback (read afresh without one)."""
    themes = (queries.theme_names() if version is None
              else render_cache.remember("feedback-themes", version, queries.theme_names, kept=4))
    form = CommentFiltersForm(request.args, themes, today_in_england())
    form.comment.data = form.comment.data or queries.WITH_COMMENT
    return form


def _results(form: CommentFiltersForm, args: dict[str, str], page: int) -> Markup:
    result = queries.comments(_filters(form), page, PAGE_SIZE)
    if page > result.pages:
        abort(404)
    return Markup(render_template(  # noqa: S704 - autoescaped
        "coproduction/_comment_results.html", result=result, csv_args=args,
        place={**args, **({"page": str(page)} if page > 1 else {})},
        pagination=pagination_params(result.page, result.pages, "coproduction.comments", args, "Pages of feedback"),
    ))


@bp.route("/comments")
@roles(Role.COPRODUCTION)
def comments():
    # The same for everyone in the team: each page of results is rendered once for each version of
    # the feedback (read first: portal/data_versions.py), set of filters and page number.
    version = data_versions.current(data_versions.FEEDBACK)
    form = _form(version)
    page = page_number()
    if not form.validate():
        return render_template("coproduction/comments.html", form=form, results_html=None,
                               filters_html=form_html.filters_html(FILTERS, form)), 400
    args = _filter_args(form)
    key = (version, tuple(sorted(args.items())), page)
    return render_template(
        "coproduction/comments.html", form=form, filters_html=form_html.filters_html(FILTERS, form),
        results_html=render_cache.remember("feedback-comments", key, lambda: _results(form, args, page)),
    )


@bp.route("/comments.csv")
@roles(Role.COPRODUCTION)
def comments_csv():
    form = _form()
    if not form.validate():
        return render_template("coproduction/comments.html", form=form, result=None,
                               results_html=None, filters_html=form_html.filters_html(FILTERS, form)), 400
    filters = _filters(form)
    audit.record("feedback-exported", actor=current_user, target="feedback",
                 detail=", ".join(f"{name}={value}" for name, value in _filter_args(form).items()) or "No filters")
    audit.commit_without_waiting_for_disk()
    rows = ((row.month.strftime("%B %Y"), row.stage.label if row.stage else queries.NO_STAGE_LABEL,
             row.source.label, row.rating, row.worked_well, row.could_be_better, row.themes,
             row.contact_name, row.contact_email) for row in queries.export_rows(filters))
    filename = f"feedback-{today_in_england():%Y-%m-%d}.csv"
    # Built here, while the request's database session is open: the rows are read in batches.
    return Response(
        "".join(export.lines(rows)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _place() -> dict[str, str]:
    """Where in the comments the team member came from (the filters and page, as the list's links
    carry them), so that "Back to comments" goes back there. Only the list's own names, each
    checked again by the list when it is opened."""
    names = (*FILTER_NAMES, "page")
    return {name: value[:200] for name in names if (value := request.args.get(name))}


@bp.route("/comments/<int:feedback_id>", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def comment(feedback_id: int):
    row = queries.comment(feedback_id)
    if row is None:
        abort(404)
    themes = queries.themes()
    form = TagForm()
    form.themes.choices = [(theme.id, theme.name) for theme in themes]
    if form.validate_on_submit():
        # Only themes that exist: any other value (a theme merged away meanwhile, or made up) is left out.
        known = {theme.id for theme in themes}
        services.tag_feedback(row.feedback, {i for i in form.themes.data or () if i in known}, current_user)
        flash("Themes saved.", "success")
        return redirect(url_for("coproduction.comment", feedback_id=feedback_id, **_place()))
    if request.method == "GET":
        form.themes.data = [theme.id for theme in row.feedback.themes]
    words = " ".join(filter(None, (row.feedback.worked_well, row.feedback.could_be_better)))
    suggested = hints.suggested(words, [theme.name for theme in themes], [t.name for t in row.feedback.themes])
    return render_template(
        "coproduction/comment.html", form=form, row=row, suggested=suggested, has_themes=bool(themes),
        place=_place(),
    ), 400 if form.errors else 200
