"""The co-production team's "You said, we did" actions: list, add, change, link the feedback an
action answers, and publish it (or take it off the public page). Publishing, and marking a
published action done, tells each family whose own non-anonymous feedback it answers
(portal.feedback.actions)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import roles
from portal.conversations.reply_by import today_in_england
from portal.coproduction import action_queries, bp
from portal.coproduction.action_forms import ActionForm, ButtonForm, LinkFeedbackForm
from portal.feedback import actions
from portal.feedback.models import Action, ActionStatus
from portal.models import Role


def _action_or_404(action_id: int) -> Action:
    action = action_queries.action(action_id)
    if action is None:
        abort(404)
    return action


def _draft(form: ActionForm) -> actions.ActionDraft:
    return actions.ActionDraft(
        you_said=form.you_said.data, we_did=form.we_did.data, status=ActionStatus(form.status.data),
        done_on=form.done_on.data, theme_ids=tuple(form.themes.data or ()),
    )


def _save(form: ActionForm, action: Action | None):
    try:
        saved = actions.save_action(current_user, _draft(form), today_in_england(), action)
    except actions.ActionProblem as problem:
        getattr(form, problem.field).errors = [*getattr(form, problem.field).errors, str(problem)]
        return None
    return saved


@bp.route("/actions", endpoint="actions")
@roles(Role.COPRODUCTION)
def actions_list():
    return render_template("coproduction/actions.html", actions=action_queries.all_actions())


@bp.route("/actions/new", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def new_action():
    form = ActionForm().offer(action_queries.themes())
    if form.validate_on_submit():
        saved = _save(form, None)
        if saved is not None:
            flash("Action saved. It is not published yet: publish it when it is ready for families to read.", "success")
            return redirect(url_for("coproduction.action", action_id=saved.id))
    elif not form.is_submitted():
        form.status.data = ActionStatus.PLANNED.value
    return render_template("coproduction/action_new.html", form=form), 400 if form.errors else 200


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@roles(Role.COPRODUCTION)
def action(action_id: int):
    action = _action_or_404(action_id)
    form = ActionForm(obj=None).offer(action_queries.themes())
    if form.validate_on_submit():
        if _save(form, action) is not None:
            flash("Action saved", "success")
            return redirect(url_for("coproduction.action", action_id=action.id))
    elif not form.is_submitted():
        form.you_said.data, form.we_did.data = action.you_said, action.we_did
        form.status.data, form.done_on.data = action.status.value, action.done_on
        form.themes.data = [theme.id for theme in action.themes]
    return _action_page(action, form, status=400 if form.errors else 200)


def _choices(feedback: list) -> list[tuple[int, str]]:
    return [(response.id, str(response.id)) for response in feedback]


def _action_page(action: Action, form: ActionForm, link_form: LinkFeedbackForm | None = None, status: int = 200):
    linkable = action_queries.linkable_feedback(action)
    if link_form is None:
        link_form = LinkFeedbackForm(formdata=None)
        link_form.feedback.data = action_queries.linked_ids(action)
    link_form.feedback.choices = _choices(linkable)
    return render_template(
        "coproduction/action.html", action=action, form=form, link_form=link_form, linkable=linkable,
        button_form=ButtonForm(formdata=None),
    ), status


@bp.route("/actions/<int:action_id>/feedback", methods=["POST"])
@roles(Role.COPRODUCTION)
def action_feedback(action_id: int):
    action = _action_or_404(action_id)
    link_form = LinkFeedbackForm()
    link_form.feedback.choices = _choices(action_queries.linkable_feedback(action))
    if not link_form.validate_on_submit():
        form = ActionForm(formdata=None).offer(action_queries.themes())
        return _action_page(action, form, link_form, status=400)
    actions.link_feedback(current_user, action, list(link_form.feedback.data or ()))
    flash("Saved the feedback this action answers", "success")
    return redirect(url_for("coproduction.action", action_id=action.id))


@bp.route("/actions/<int:action_id>/publish", methods=["POST"])
@roles(Role.COPRODUCTION)
def publish_action(action_id: int):
    action = _action_or_404(action_id)
    if ButtonForm().validate_on_submit() and actions.publish(current_user, action):
        flash("Published. Families can read it on the ‘You said, we did’ page, and each family whose "
              "feedback it answers has been told.", "success")
    return redirect(url_for("coproduction.action", action_id=action.id))


@bp.route("/actions/<int:action_id>/unpublish", methods=["POST"])
@roles(Role.COPRODUCTION)
def unpublish_action(action_id: int):
    action = _action_or_404(action_id)
    if ButtonForm().validate_on_submit() and actions.unpublish(current_user, action):
        flash("Taken off the ‘You said, we did’ page", "success")
    return redirect(url_for("coproduction.action", action_id=action.id))
