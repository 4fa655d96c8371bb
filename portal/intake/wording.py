"""The words of the request pages. A parent or carer reads about "your child"; a young person
asking for themself reads "you" and "your needs". Plain Python, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from portal.intake import journey
from portal.intake.models import Requester

SERVICE_CAPTION = "Ask for an EHC needs assessment"


@dataclass(frozen=True)
class Words:
    """Who the questions are about, from the reader's side."""

    young_person: bool

    @property
    def whose(self) -> str:  # "your child’s" / "your"
        return "your" if self.young_person else "your child’s"

    @property
    def whom(self) -> str:  # "your child" / "you"
        return "you" if self.young_person else "your child"


def words_for(requester: Requester | None) -> Words:
    return Words(requester is Requester.YOUNG_PERSON)


WHO_LABELS = {
    Requester.PARENT: "I am the child’s parent",
    Requester.CARER: "I am the child’s carer",
    Requester.YOUNG_PERSON: "I am the young person, asking for myself",
}
WHO_HINTS = {Requester.YOUNG_PERSON: "Young people aged 16 to 25 can ask for themselves"}


@dataclass(frozen=True)
class Question:
    label: str
    hint: str = ""
    missing: str = ""  # the error when it is left empty
    name_in_errors: str = ""


def question(slug: str, words: Words) -> Question:
    """The heading, hint and error wording of one question page."""
    yp = words.young_person

    def pick(parent: str, young_person: str) -> str:
        return young_person if yp else parent

    whose, whom = words.whose, words.whom
    texts = {
        journey.WHO: Question("Who is asking for the assessment?", missing="Select who is asking for the assessment"),
        journey.WHICH_CHILD: Question("Who is the assessment for?", missing="Select who the assessment is for"),
        journey.CHILD_NAME: Question(f"What is {whose} name?"),
        journey.DATE_OF_BIRTH: Question(
            f"What is {whose} date of birth?", pick("For example, 27 3 2012", "For example, 27 3 2005"),
            f"Enter {whose} date of birth", "Date of birth",
        ),
        journey.SCHOOL: Question(
            pick("Which school, college or setting does your child go to?",
                 "Which school, college or setting do you go to?"),
            pick("For example, a nursery, school or college. If they do not go to one, say so.",
                 "For example, a school or college. If you do not go to one, say so."),
            pick("Enter the school, college or setting your child goes to, or say there is none",
                 "Enter the school, college or setting you go to, or say there is none"),
            "School, college or setting",
        ),
        journey.NEEDS: Question(
            f"Tell us about {whose} needs",
            pick("In your own words: what your child finds hard, at home and at their school or setting, "
                 "and how it affects them.",
                 "In your own words: what you find hard, at home and at your school, college or setting, "
                 "and how it affects you."),
            f"Tell us about {whose} needs",
            "Needs",
        ),
        journey.SUPPORT: Question(
            pick("What support does your child already have?", "What support do you already have?"),
            "For example, help from a teaching assistant, speech and language therapy, or a support plan "
            "from the school. If there is none, say so.",
            pick("Tell us what support your child already has, or say there is none",
                 "Tell us what support you already have, or say there is none"),
            "Support",
        ),
        journey.REASONS: Question(
            pick("Why do you think your child needs an EHC needs assessment?",
                 "Why do you think you need an EHC needs assessment?"),
            pick("For example, the support they have is not enough, or their needs have changed.",
                 "For example, the support you have is not enough, or your needs have changed."),
            "Tell us why you think an assessment is needed",
            "Reasons",
        ),
        journey.PROFESSIONALS: Question(
            f"Which professionals are involved with {whom}?",
            "For example, a doctor, health visitor, educational psychologist, speech and language therapist "
            "or social worker. Give their names and where they work, if you know. If there are none, say so.",
            "Tell us which professionals are involved, or say there are none",
            "Professionals",
        ),
        journey.CONTACT: Question("Your contact details"),
        journey.CONSENT: Question(
            "Can the council contact the professionals you named?",
            f"They can tell the council about {whose} needs. This helps the council decide whether to assess.",
            "Select whether the council can contact the professionals you named",
        ),
    }
    return texts[slug]


@dataclass(frozen=True)
class Row:
    """A row on the check answers page."""

    key: str
    question: str
    value: str | None = None  # plain text, shown as paragraphs
    lines: tuple[str, ...] = ()  # short values, one a line


def answer_rows(answers, words: Words, questions: list[str], linked_child_name: str | None = None) -> list[Row]:
    """The check answers page's rows, for the questions that apply, in their order."""
    rows: list[Row] = []
    for slug in questions:
        if slug == journey.WHICH_CHILD:
            rows.append(Row("Who it is for", slug, linked_child_name or "Another child"))
        elif slug == journey.WHO:
            rows.append(Row("Who is asking", slug, answers.requester.label if answers.requester else ""))
        elif slug == journey.CHILD_NAME:
            rows.append(Row("Your name" if words.young_person else "Child’s name", slug, answers.child_name))
        elif slug == journey.DATE_OF_BIRTH:
            born = answers.child_date_of_birth
            rows.append(Row("Date of birth", slug, f"{born.day} {born:%B %Y}" if born else ""))
        elif slug == journey.CONTACT:
            lines = (answers.requester_name or "", answers.requester_email or "", answers.requester_phone or "")
            rows.append(Row("Contact details", slug, lines=tuple(line for line in lines if line)))
        elif slug == journey.CONSENT:
            consent = answers.consent_to_contact
            rows.append(Row("Contact the professionals", slug, "Yes" if consent else "No"))
        else:
            rows.append(Row(ROW_KEYS[slug], slug, getattr(answers, journey.FIELD_OF[slug]) or ""))
    return rows


ROW_KEYS = {
    journey.SCHOOL: "School, college or setting",
    journey.NEEDS: "Needs",
    journey.SUPPORT: "Support already in place",
    journey.REASONS: "Why an assessment is needed",
    journey.PROFESSIONALS: "Professionals involved",
}


def for_whom(young_person: bool, first_name: str | None) -> str:
    """"for yourself" or "for Sam"."""
    return "for yourself" if young_person else f"for {first_name}"


def waiting_sentence(waiting) -> str:
    """"You asked for an assessment for Sam on 1 December 2026. Reference R2026-00012. The council
    must decide whether to assess by 12 January 2027." (an online.Waiting)"""
    received, due = waiting.received_on, waiting.decision_due
    return (
        f"You asked for an assessment {for_whom(waiting.young_person, waiting.child_first_name)} on "
        f"{received.day} {received:%B %Y}. Reference {waiting.reference}. "
        f"The council must decide whether to assess by {due.day} {due:%B %Y}."
    )
