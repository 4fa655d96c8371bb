"""The stages of an EHC needs assessment and plan, the moves allowed between them, and what each
means for a family. Plain Python: no Flask, no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Stage(enum.StrEnum):
    REQUEST_RECEIVED = "request_received"
    DECIDING_TO_ASSESS = "deciding_to_assess"
    NOT_ASSESSING = "not_assessing"
    ASSESSING = "assessing"
    DECIDING_TO_ISSUE = "deciding_to_issue"
    NOT_ISSUING = "not_issuing"
    DRAFT_PLAN = "draft_plan"
    FINAL_PLAN = "final_plan"
    ANNUAL_REVIEW = "annual_review"
    CEASED = "ceased"
    MOVED_AWAY = "moved_away"
    WITHDRAWN = "withdrawn"

    @property
    def info(self) -> StageInfo:
        return STAGE_INFO[self]

    @property
    def label(self) -> str:
        return self.info.label

    @property
    def position(self) -> int:
        """Where the stage comes in the law's order: the order the stages are declared in."""
        return _POSITIONS[self]

    @property
    def is_closed(self) -> bool:
        return self in CLOSED

    @property
    def next_stages(self) -> tuple[Stage, ...]:
        return TRANSITIONS[self]

    def can_move_to(self, other: Stage) -> bool:
        return other in TRANSITIONS[self]


_POSITIONS = {stage: position for position, stage in enumerate(Stage)}
CLOSED = frozenset({Stage.NOT_ASSESSING, Stage.NOT_ISSUING, Stage.CEASED, Stage.MOVED_AWAY, Stage.WITHDRAWN})

# The statutory path, in order, for the progress list a family sees.
PATH = (
    Stage.REQUEST_RECEIVED,
    Stage.DECIDING_TO_ASSESS,
    Stage.ASSESSING,
    Stage.DECIDING_TO_ISSUE,
    Stage.DRAFT_PLAN,
    Stage.FINAL_PLAN,
    Stage.ANNUAL_REVIEW,
)

_LEAVE = (Stage.WITHDRAWN, Stage.MOVED_AWAY)

TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.REQUEST_RECEIVED: (Stage.DECIDING_TO_ASSESS, *_LEAVE),
    Stage.DECIDING_TO_ASSESS: (Stage.ASSESSING, Stage.NOT_ASSESSING, *_LEAVE),
    # A refusal can be overturned by mediation or the tribunal.
    Stage.NOT_ASSESSING: (Stage.ASSESSING,),
    Stage.ASSESSING: (Stage.DECIDING_TO_ISSUE, *_LEAVE),
    Stage.DECIDING_TO_ISSUE: (Stage.DRAFT_PLAN, Stage.NOT_ISSUING, *_LEAVE),
    Stage.NOT_ISSUING: (Stage.DRAFT_PLAN,),
    Stage.DRAFT_PLAN: (Stage.FINAL_PLAN, *_LEAVE),
    # After the annual review the plan is maintained or amended (a new final plan) or ceased.
    Stage.FINAL_PLAN: (Stage.ANNUAL_REVIEW, Stage.CEASED, Stage.MOVED_AWAY),
    Stage.ANNUAL_REVIEW: (Stage.FINAL_PLAN, Stage.CEASED, Stage.MOVED_AWAY),
    Stage.CEASED: (),
    Stage.MOVED_AWAY: (),
    Stage.WITHDRAWN: (),
}


@dataclass(frozen=True)
class StageInfo:
    label: str
    tag_colour: str  # a GOV.UK tag modifier
    happening: str
    next: str
    you_can: str


STAGE_INFO: dict[Stage, StageInfo] = {
    Stage.REQUEST_RECEIVED: StageInfo(
        "Request received",
        "blue",
        "We have received the request for an education, health and care (EHC) needs assessment.",
        "We will look at the request and the evidence with it, and decide whether to assess. "
        "We must tell you within 6 weeks of the request.",
        "Send us anything that shows your child’s needs, such as reports from school or health "
        "professionals. Tell us your views and your child’s views.",
    ),
    Stage.DECIDING_TO_ASSESS: StageInfo(
        "Deciding whether to assess",
        "blue",
        "We are deciding whether your child needs an EHC needs assessment.",
        "We will write to tell you our decision. We must do this within 6 weeks of the request.",
        "Tell us anything you want us to think about. You can ask us for a meeting.",
    ),
    Stage.NOT_ASSESSING: StageInfo(
        "Not assessing",
        "grey",
        "We have decided not to carry out an EHC needs assessment.",
        "The case is closed unless the decision changes after mediation or an appeal.",
        "You can ask for mediation, and you can appeal to the SEND Tribunal. You must appeal within "
        "2 months of our decision letter, or 1 month from a mediation certificate if that is later.",
    ),
    Stage.ASSESSING: StageInfo(
        "Assessing",
        "teal",
        "We are carrying out the EHC needs assessment. We have asked professionals for their advice.",
        "Professionals have 6 weeks to send their advice. Then we decide whether to issue an EHC plan.",
        "Tell us your views and your child’s views, and anyone else you think we should ask.",
    ),
    Stage.DECIDING_TO_ISSUE: StageInfo(
        "Deciding whether to issue a plan",
        "teal",
        "We have the advice and are deciding whether your child needs an EHC plan.",
        "If we decide to issue a plan, we send you a draft. If not, we must tell you within 16 weeks "
        "of the request.",
        "Tell us anything you want us to think about before we decide.",
    ),
    Stage.NOT_ISSUING: StageInfo(
        "Not issuing a plan",
        "grey",
        "We have decided not to issue an EHC plan.",
        "We will tell you how your child’s needs can be met without a plan. The case is closed unless "
        "the decision changes after mediation or an appeal.",
        "You can ask for mediation, and you can appeal to the SEND Tribunal within 2 months of our "
        "decision letter, or 1 month from a mediation certificate if that is later.",
    ),
    Stage.DRAFT_PLAN: StageInfo(
        "Draft plan issued",
        "yellow",
        "We have sent you a draft EHC plan.",
        "We will consider your comments, consult the school you name and issue the final plan. The "
        "final plan must be issued within 20 weeks of the request.",
        "You have at least 15 days to comment on the draft and to name the school or college you "
        "want. You can ask for a meeting with us about the draft.",
    ),
    Stage.FINAL_PLAN: StageInfo(
        "Final plan issued",
        "green",
        "Your child has a final EHC plan.",
        "We review the plan at least every 12 months at an annual review.",
        "If you disagree with the plan, you can ask for mediation and appeal to the SEND Tribunal "
        "within 2 months. Tell us if your child’s needs change.",
    ),
    Stage.ANNUAL_REVIEW: StageInfo(
        "Annual review",
        "turquoise",
        "We are reviewing your child’s EHC plan.",
        "After the review meeting, we send a report within 2 weeks and decide within 4 weeks whether "
        "to keep, change or end the plan. A changed plan must be issued within 12 weeks of the meeting.",
        "Share your views and your child’s views before the meeting. You should get the invitation "
        "and advice at least 2 weeks before it.",
    ),
    Stage.CEASED: StageInfo(
        "Plan ended",
        "grey",
        "The council has decided to end your child’s EHC plan.",
        "There is nothing more in this case.",
        "If you disagree with the decision to end the plan, you can appeal to the SEND Tribunal "
        "within 2 months.",
    ),
    Stage.MOVED_AWAY: StageInfo(
        "Moved away",
        "grey",
        "Your child has moved to another council’s area.",
        "We have sent the plan or assessment to the new council.",
        "Contact the new council’s SEND team.",
    ),
    Stage.WITHDRAWN: StageInfo(
        "Withdrawn",
        "grey",
        "The request was withdrawn.",
        "There is nothing more in this case.",
        "You can make a new request at any time.",
    ),
}
