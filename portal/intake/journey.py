"""The order of the questions in an online request, which of them apply, and what is still
missing. Plain Python (no Flask): the pages ask it where to go next.

A request made without an account asks every question. A family member already signed in first
chooses which child it is for: one of their linked children (whose name and date of birth the
council already has, so those questions are skipped) or another child.

`answers` is anything with the draft's attributes (an AssessmentRequest), and `another_child`
says whether a signed-in family member chose "Another child" (kept in their session, because no
answer on the draft records it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.intake.models import ONLINE_REQUESTERS, Requester

WHO, WHICH_CHILD, CHILD_NAME, DATE_OF_BIRTH = "who-is-asking", "which-child", "name", "date-of-birth"
SCHOOL, NEEDS, SUPPORT, REASONS = "school-or-setting", "needs", "support", "reasons"
PROFESSIONALS, CONTACT, CONSENT = "professionals", "contact-details", "consent"
# Where the pages go once every question is answered.
CHECK = "check-your-answers"
# The draft's field for each question answered by one piece of free text.
FIELD_OF = {SCHOOL: "school", NEEDS: "needs", SUPPORT: "support", REASONS: "reasons", PROFESSIONALS: "professionals"}

PUBLIC_ORDER = (WHO, CHILD_NAME, DATE_OF_BIRTH, SCHOOL, NEEDS, SUPPORT, REASONS, PROFESSIONALS, CONTACT, CONSENT)
FAMILY_ORDER = (WHICH_CHILD, *PUBLIC_ORDER)
# Only for another child: a linked child's name and date of birth are already known.
ANOTHER_CHILD_ONLY = frozenset({WHO, CHILD_NAME, DATE_OF_BIRTH})
# The people a signed-in family member can be for another child (a young person's own account is
# linked to themself, so "another child" is never them).
FAMILY_REQUESTERS = (Requester.PARENT, Requester.CARER)

# The oldest and youngest ages for an EHC needs assessment, and for asking for one yourself.
OLDEST = 25
YOUNGEST_TO_ASK_FOR_THEMSELF = 16


@dataclass(frozen=True)
class Journey:
    """One way through the questions: the public pages, or a signed-in family member's."""

    family: bool
    another_child: bool = False

    @property
    def order(self) -> tuple[str, ...]:
        return FAMILY_ORDER if self.family else PUBLIC_ORDER

    @property
    def requesters(self) -> tuple[Requester, ...]:
        return FAMILY_REQUESTERS if self.family else ONLINE_REQUESTERS

    def applies(self, question: str, answers: Any) -> bool:
        if question not in self.order:
            return False
        if self.family and question in ANOTHER_CHILD_ONLY:
            return self.another_child and answers.child_id is None
        return True

    def questions(self, answers: Any) -> list[str]:
        return [question for question in self.order if self.applies(question, answers)]

    def answered(self, question: str, answers: Any, today: date) -> bool:
        if question == WHICH_CHILD:
            return answers.child_id is not None or self.another_child
        if question == WHO:
            return answers.requester in self.requesters
        if question == CHILD_NAME:
            return bool(answers.child_first_name and answers.child_last_name)
        if question == DATE_OF_BIRTH:
            born = answers.child_date_of_birth
            return born is not None and date_of_birth_problem(born, answers.requester, today) is None
        if question == CONTACT:
            return bool(answers.requester_name and answers.requester_email)
        if question == CONSENT:
            return answers.consent_to_contact is not None
        return bool(getattr(answers, FIELD_OF[question]))

    def first_missing(self, answers: Any, today: date) -> str | None:
        return next((q for q in self.questions(answers) if not self.answered(q, answers, today)), None)

    def where_to(self, question: str, answers: Any, today: date) -> str | None:
        """Where someone asking for `question` should be sent instead: the first unanswered
        question before it (or the check page, for a question that does not apply). None: it can
        be shown."""
        if not self.applies(question, answers):
            return self.first_missing(answers, today) or CHECK
        for earlier in self.questions(answers):
            if earlier == question:
                return None
            if not self.answered(earlier, answers, today):
                return earlier
        return None

    def after(self, question: str, answers: Any, today: date, changing: bool = False) -> str:
        """The page after `question` is answered: the next question, or (when changing an answer
        from the check page) the first one still missing, then the check page."""
        if changing:
            return self.first_missing(answers, today) or CHECK
        questions = self.questions(answers)
        later = questions[questions.index(question) + 1:] if question in questions else []
        return later[0] if later else (self.first_missing(answers, today) or CHECK)

    def before(self, question: str, answers: Any) -> str | None:
        """The question before this one (for the back link); None for the first."""
        questions = self.questions(answers)
        if question not in questions or questions.index(question) == 0:
            return None
        return questions[questions.index(question) - 1]



def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def date_of_birth_problem(born: date, requester: Requester | None, today: date) -> str | None:
    """Why this date of birth cannot be right for an EHC needs assessment, or None."""
    yourself = requester is Requester.YOUNG_PERSON
    if born > today:
        return "Date of birth must be today or in the past"
    age = age_on(born, today)
    if age > OLDEST:
        if yourself:
            return f"You must be {OLDEST} or younger to ask for an EHC needs assessment"
        return f"The child or young person must be {OLDEST} or younger to have an EHC needs assessment"
    if yourself and age < YOUNGEST_TO_ASK_FOR_THEMSELF:
        return (
            f"You must be {YOUNGEST_TO_ASK_FOR_THEMSELF} or older to ask for an assessment for yourself. "
            "A parent or carer can ask for you"
        )
    return None


PLAN_STAGES = frozenset({"final_plan", "annual_review", "ceased"})


def had_a_plan(stages: list[str], first_final_plan_on: list[date | None]) -> bool:
    """Whether a child's cases show a plan already issued: a request for them is a re-assessment."""
    return any(stage in PLAN_STAGES for stage in stages) or any(day is not None for day in first_final_plan_on)
