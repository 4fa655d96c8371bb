"""What the team's request pages say after a decision: the banner on the case (or the child's
page) says what happened to the requester's access to the portal."""

from __future__ import annotations

from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case
from portal.intake.models import AssessmentRequest


def _requester(request: AssessmentRequest) -> str:
    return request.requester_name or request.requester_email or "The requester"


def requester_access(request: AssessmentRequest, case: Case, access: str) -> str:
    """One sentence for each outcome of services._give_requester_access."""
    first_name = case.child.first_name
    if access == "linked":
        return f"{_requester(request)} asked while signed in: they can now see {first_name}’s case."
    if access == "invited":
        return (f"We have emailed {request.requester_email} an invitation to the portal. They will see "
                f"{first_name}’s case once they create their account.")
    if access == "asked":
        return (f"{request.requester_email} already has an account. We have asked them to accept "
                f"{first_name}’s information. Nothing is shared until they do.")
    if access == "not-family":
        return ("Nobody was invited to the portal: the request did not come from a parent, carer or the young "
                f"person with an email address. Invite family members from {first_name}’s page.")
    return f"We did not invite {_requester(request)} to the portal: {access}."


def case_opened(request: AssessmentRequest, case: Case, access: str) -> str:
    return (f"Case {case.reference} opened from {long_date(case.request_received_on)}, the day the council "
            f"received request {request.reference}. {requester_access(request, case, access)}")


def registered(case: Case) -> str:
    return (f"Case {case.reference} opened from {long_date(case.request_received_on)}. Invite the family members "
            f"who should follow it on the portal.")
