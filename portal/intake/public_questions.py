"""The question pages and "Check your answers", shared by the public request pages and a signed-in
family member's. A `Flow` says which of the two it is: its addresses, where its draft's key is
kept in the session, and what sending does. The order of the pages is in journey.py.

Each page's answers are saved to the draft as soon as they are accepted, so that they survive the
back button and an error on a later page. A page reached without a draft, or before the questions
it follows are answered, redirects to the start or to the first unanswered question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.conversations.reply_by import today_in_england
from portal.intake import forms, journey, online, wording
from portal.intake.models import MAX_ANSWER_LENGTH, AssessmentRequest, Requester

CHANGING = "yes"  # ?change=yes: the page was opened from "Check your answers"


@dataclass(frozen=True)
class Flow:
    family: bool
    session_key: str
    question_endpoint: str
    check_endpoint: str
    start_url: Callable[[], str]  # where someone without a draft goes
    # Send the finished draft; the answer is the page to go to.
    send: Callable[[AssessmentRequest], object]
    # The first question, if it has its own address (a signed-in family member's start).
    first_endpoint: str | None = None
    # Where the first question's back link goes (the start page, unless given).
    back_from_first: Callable[[], str] | None = None

    def key(self) -> str | None:
        value = session.get(self.session_key)
        return value.get("key") if isinstance(value, dict) else None

    def journey(self) -> journey.Journey:
        value = session.get(self.session_key)
        another = bool(value.get("another_child")) if isinstance(value, dict) else False
        return journey.Journey(self.family, another)

    def draft(self) -> AssessmentRequest | None:
        """This session's draft, read once a request."""
        cache = g.setdefault("request_drafts", {})
        if self.session_key not in cache:
            cache[self.session_key] = online.find_draft(self.key(), current_user if self.family else None)
        return cache[self.session_key]

    def start_draft(self) -> AssessmentRequest:
        draft, key = online.start_draft(current_user if self.family else None)
        session[self.session_key] = {"key": key}
        g.setdefault("request_drafts", {})[self.session_key] = draft
        return draft

    def remember(self, **values: object) -> None:
        session[self.session_key] = {**session.get(self.session_key, {}), **values}

    def url(self, slug: str, changing: bool = False) -> str:
        change = CHANGING if changing else None
        if slug == journey.CHECK:
            return url_for(self.check_endpoint)
        if self.first_endpoint and slug == self.journey().order[0]:
            return url_for(self.first_endpoint, change=change)
        return url_for(self.question_endpoint, question=slug, change=change)


def _young_person(draft: AssessmentRequest | None) -> bool:
    return draft is not None and draft.requester is Requester.YOUNG_PERSON


def question_page(flow: Flow, slug: str, choices: Callable[[forms.QuestionForm], None] | None = None,
                  save: Callable[[AssessmentRequest, forms.QuestionForm], None] | None = None, **context):
    """One question: shown with the draft's answer, or saved and on to the next page. `choices`
    fills in choices that depend on the person; `save` replaces saving the form's answers."""
    path = flow.journey()
    if slug not in path.order:
        abort(404)
    draft = flow.draft()
    today = today_in_england()
    if draft is None and slug != path.order[0]:
        return redirect(flow.start_url())
    if draft is not None:
        elsewhere = path.where_to(slug, draft, today)
        if elsewhere is not None:
            return redirect(flow.url(elsewhere))
    changing = request.args.get("change") == CHANGING
    form_type = forms.form_class(slug, _young_person(draft), flow.family)
    form = form_type(data=forms.prefill(form_type, draft) if draft is not None and request.method == "GET" else None)
    if choices is not None:
        choices(form)
    if form.validate_on_submit() and not _refused(slug, form, draft, today):
        draft = draft or flow.start_draft()
        if save is not None:
            save(draft, form)
        else:
            online.save_answers(draft, **forms.answers_from(form))
        return redirect(flow.url(flow.journey().after(slug, draft, today, changing)))
    before = path.before(slug, draft) if draft is not None else None
    if changing or before:
        back = flow.url(journey.CHECK if changing else before)
    else:
        back = (flow.back_from_first or flow.start_url)()
    return render_template(
        "intake/public_question.html", form=form, question=wording.question(slug, wording.Words(_young_person(draft))),
        slug=slug, action=flow.url(slug, changing), back_url=back, caption=wording.SERVICE_CAPTION,
        max_answer_length=MAX_ANSWER_LENGTH, **context,
    )


def _refused(slug: str, form: forms.QuestionForm, draft: AssessmentRequest | None, today) -> bool:
    """A date of birth that cannot be right for this request (checked against who is asking)."""
    if slug != journey.DATE_OF_BIRTH:
        return False
    problem = journey.date_of_birth_problem(
        form.child_date_of_birth.data, draft.requester if draft is not None else None, today
    )
    if problem:
        form.child_date_of_birth.errors = [*form.child_date_of_birth.errors, problem]
        return True
    return False


def check_page(flow: Flow, nothing_to_check: Callable[[], object], linked_child_name: str | None = None, **context):
    """Every answer, with a Change link back to its page, and the Send button."""
    draft = flow.draft()
    if draft is None:
        return nothing_to_check()
    path = flow.journey()
    missing = path.first_missing(draft, today_in_england())
    if missing is not None:
        return redirect(flow.url(missing))
    form = forms.SendForm()
    if form.validate_on_submit():
        return flow.send(draft)
    words = wording.Words(_young_person(draft))
    rows = wording.answer_rows(draft, words, path.questions(draft), linked_child_name)
    change_urls = {row.question: flow.url(row.question, changing=True) for row in rows}
    return render_template(
        "intake/public_check.html", form=form, rows=rows, change_urls=change_urls, family=flow.family,
        back_url=flow.url(path.questions(draft)[-1]), action=flow.url(journey.CHECK), young_person=words.young_person,
        **context,
    )
