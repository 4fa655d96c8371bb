"""The signed-in person's email settings, /account/emails (on the auth blueprint): a family turns
emails about new messages on or off, a caseworker or manager the daily digest. Everyone else has
no optional emails, and the page says which emails they get."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.access import ANY_SIGNED_IN, roles
from portal.auth.email_choices import OPTIONAL_EMAIL, choose_digest_emails, choose_message_emails
from portal.auth.forms import DigestEmailsForm, MessageEmailsForm
from portal.auth.routes import bp
from portal.extensions import db
from portal.models import FamilyLink, Relationship, Role

FORMS = {"message_emails": (MessageEmailsForm, choose_message_emails),
         "digest_emails": (DigestEmailsForm, choose_digest_emails)}


@bp.route("/account/emails", methods=["GET", "POST"], endpoint="email_settings")
@roles(*ANY_SIGNED_IN)
def email_settings_view():
    user = current_user._get_current_object()
    column = OPTIONAL_EMAIL.get(user.role)
    form = None
    if column is not None:
        form_class, choose = FORMS[column]
        saved = {"choice": "yes" if getattr(user, column) else "no"}
        form = form_class(data=saved if request.method == "GET" else None)
        if form.validate_on_submit():
            choose(user, form.choice.data == "yes")
            flash("Your email settings have been saved.", "success")
            return redirect(url_for("auth.email_settings"))
    return render_template("auth/email_settings.html", form=form, column=column, **_whose_cases(user)), (
        400 if form and form.errors else 200
    )


def _whose_cases(user) -> dict[str, bool]:
    """Words for the reader: a young person reads "your case", a parent or carer "a child's"."""
    if user.role is not Role.FAMILY:
        return {}
    relationships = set(db.session.scalars(
        select(FamilyLink.relationship_to_child).where(FamilyLink.user_id == user.id)
    ))
    own = Relationship.YOUNG_PERSON in relationships
    return {"own_case": own, "child_cases": bool(relationships - {Relationship.YOUNG_PERSON}) or not own}
