"""Whether a family was reached: an email about a case that fails for good (permanent- or
technical-failure) flags the case "Family not reached", so that a caseworker phones or writes
instead. Called in the same transaction as the status change, by the worker and the webhook.

The flag is cleared by a caseworker (portal/casework/reach_pages.py): correcting the family
member's address (which sends the email again to it), or saying how they reached the family."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.ehcp.models import Case, CaseNote
from portal.ehcp.services import CaseProblem, use_case
from portal.extensions import db
from portal.models import FamilyLink, Role, User
from portal.notifications import status_words
from portal.notifications.resend import queue_again
from portal.outbox import OutboxEmail, OutboxStatus


def to_the_family():
    """An email's condition: it went to a family member (or to an address with no account yet,
    as an invitation does), not to staff (an alert about a message is about the case too)."""
    staff = select(User.id).where(User.id == OutboxEmail.user_id, User.role != Role.FAMILY)
    return ~staff.exists()


def flag_not_reached(email_id: int, now: datetime) -> None:
    """Flag the email's case, if it has one, the email went to the family and the case is not
    flagged already. A plain UPDATE: it does not bump the case's version, so a caseworker's form
    open on the case still saves."""
    case_id = select(OutboxEmail.case_id).where(OutboxEmail.id == email_id, to_the_family()).scalar_subquery()
    db.session.execute(
        update(Case)
        .where(Case.id == case_id, Case.family_not_reached_since.is_(None))
        .values(family_not_reached_since=now)
        .execution_options(synchronize_session=False)
    )


# --- Clearing the flag: a caseworker corrects the address, or reaches the family another way -----

HANDLED_NOTE = "Family not reached by email. Phoned or wrote to them instead: "


def failed_family_email(case: Case, email_id: int) -> tuple[OutboxEmail, User] | None:
    """An email about the case that failed for good, with its recipient: a family member still
    linked to the case's child. None otherwise."""
    row = db.session.execute(
        select(OutboxEmail, User)
        .join(User, User.id == OutboxEmail.user_id)
        .join(FamilyLink, and_(FamilyLink.user_id == User.id, FamilyLink.child_id == case.child_id))
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.case_id == case.id,
            OutboxEmail.status.in_(status_words.FAILED_FOR_GOOD),
            User.role == Role.FAMILY,
        )
    ).first()
    return (row[0], row[1]) if row else None


def _clear_flag(case: Case) -> bool:
    """A plain UPDATE, as when the flag is raised: a form open on the case still saves. False
    if the flag was already clear (someone else handled it)."""
    result = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.family_not_reached_since.is_not(None))
        .values(family_not_reached_since=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _to_the_old_address(case: Case, failed: OutboxEmail, member: User) -> list[OutboxEmail]:
    """The emails about the case after `failed` that went, or were about to go, to the same
    address: not delivered, and not sent again (the provider may not have said yet that they
    bounced too). A stage change made while the address was wrong is among them."""
    later = db.session.scalars(
        select(OutboxEmail).where(
            OutboxEmail.case_id == case.id, OutboxEmail.user_id == member.id,
            func.lower(OutboxEmail.to_email) == failed.to_email.lower(), OutboxEmail.id > failed.id,
            OutboxEmail.status.in_((*status_words.FAILED_FOR_GOOD, OutboxStatus.SENT, OutboxStatus.PENDING)),
        ).order_by(OutboxEmail.id)
    ).all()
    resent = set(db.session.scalars(
        select(OutboxEmail.resend_of_id).where(OutboxEmail.resend_of_id.in_([email.id for email in later]))
    )) if later else set()
    return [email for email in later if email.id not in resent]


@use_case
def correct_family_email(actor: User, case: Case, failed: OutboxEmail, member: User, address: str) -> OutboxEmail:
    """Change the family member's email address, clear the flag and send the failed email again
    to the new address, with every later email about the case to the old one (one waiting to be
    sent goes to the new address instead): one transaction. The family gets them in order, so the
    newest stage comes last."""
    if address.lower() == failed.to_email.lower():
        raise CaseProblem("Enter a different email address. The email to this address could not be delivered",
                          "email")
    taken = db.session.scalar(
        select(User.id).where(func.lower(User.email) == address.lower(), User.id != member.id).limit(1)
    )
    if taken is not None:
        raise CaseProblem("This email address belongs to another account. Check it with the family", "email")
    try:
        email = queue_again(failed, to_email=address)
        for later in _to_the_old_address(case, failed, member):
            if later.status is OutboxStatus.PENDING:
                # Not sent yet: only if the worker has not claimed it meanwhile.
                db.session.execute(update(OutboxEmail).where(
                    OutboxEmail.id == later.id, OutboxEmail.status == OutboxStatus.PENDING,
                ).values(to_email=address).execution_options(synchronize_session=False))
            else:
                queue_again(later, to_email=address)
        member.email = address
        _clear_flag(case)
        audit.record("family-email-corrected", actor=actor, target=f"user:{member.id}",
                     detail=f"case:{case.id}, outbox-email:{failed.id}")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another account took the address meanwhile
        raise CaseProblem("This email address belongs to another account. Check it with the family",
                          "email") from None
    return email


@use_case
def mark_family_reached(actor: User, case: Case, note: str) -> bool:
    """The caseworker phoned or wrote to the family: a staff note says what they did, and the
    flag is cleared. False (nothing saved) if someone else had already cleared it."""
    if not _clear_flag(case):
        db.session.rollback()
        return False
    db.session.add(CaseNote(case_id=case.id, author=actor, text=HANDLED_NOTE + note.strip()))
    audit.record("family-reached-another-way", actor=actor, target=f"case:{case.id}")
    db.session.commit()
    return True
