"""What each stage means, in words for the reader: a parent or carer ("your child"), or the young
person themself ("you"). Plain Python. Only what the service does today is described."""

from __future__ import annotations

from dataclasses import dataclass

from portal.ehcp.stages import Stage


@dataclass(frozen=True)
class StageText:
    happening: str
    next: str
    you_can: str


_APPEAL = (
    "You can ask for mediation, and you can appeal to the SEND Tribunal. Before you appeal you must "
    "talk to a mediation adviser, unless the appeal is only about the school or college named."
)

PARENT: dict[Stage, StageText] = {
    Stage.REQUEST_RECEIVED: StageText(
        "The council has received the request for an education, health and care (EHC) needs assessment.",
        "The council will look at the request and the evidence with it, and decide whether to assess.",
        "Send the council anything that shows your child’s needs, such as reports from school or health "
        "professionals. Tell it your views and your child’s views.",
    ),
    Stage.DECIDING_TO_ASSESS: StageText(
        "The council is deciding whether your child needs an EHC needs assessment.",
        "The council will write to tell you its decision.",
        "Tell the council anything you want it to think about. You can ask for a meeting.",
    ),
    Stage.NOT_ASSESSING: StageText(
        "The council has decided not to carry out an EHC needs assessment.",
        "The case is closed unless the decision changes after mediation or an appeal.",
        _APPEAL,
    ),
    Stage.ASSESSING: StageText(
        "The council is carrying out the EHC needs assessment. It asks professionals for their advice.",
        "Professionals have 6 weeks to send their advice. Then the council decides whether to issue an EHC plan.",
        "Tell the council your views and your child’s views, and anyone else you think it should ask.",
    ),
    Stage.DECIDING_TO_ISSUE: StageText(
        "The council has the advice and is deciding whether your child needs an EHC plan.",
        "If the council decides to issue a plan, it sends you a draft first. If not, it must tell you.",
        "Tell the council anything you want it to think about before it decides.",
    ),
    Stage.NOT_ISSUING: StageText(
        "The council has decided not to issue an EHC plan.",
        "The council must tell you how your child’s needs can be met without a plan. The case is closed "
        "unless the decision changes after mediation or an appeal.",
        _APPEAL,
    ),
    Stage.DRAFT_PLAN: StageText(
        "The council has sent you a draft EHC plan.",
        "The council will consider your comments, ask the school or college you name, and issue the final plan.",
        "Comment on the draft and name the school or college you want. You can ask for a meeting about the draft.",
    ),
    Stage.FINAL_PLAN: StageText(
        "Your child has a final EHC plan.",
        "The council reviews the plan at least every 12 months, at an annual review.",
        "If you disagree with the plan, you can ask for mediation and appeal to the SEND Tribunal. Tell the "
        "council if your child’s needs change.",
    ),
    Stage.ANNUAL_REVIEW: StageText(
        "The council is reviewing your child’s EHC plan.",
        "After the review meeting the council sends a report within 2 weeks, and decides within 4 weeks "
        "whether to keep, change or end the plan. If it proposes changes, you can reply to them, and it "
        "must issue the changed plan within 8 weeks of sending them (and no later than 12 weeks after the "
        "meeting).",
        "Share your views and your child’s views before the meeting. You should get the invitation and "
        "advice at least 2 weeks before it.",
    ),
    Stage.CEASED: StageText(
        "The council has decided to end your child’s EHC plan.",
        "The case is closed unless the decision changes after mediation or an appeal.",
        _APPEAL,
    ),
    Stage.MOVED_AWAY: StageText(
        "Your child has moved to another council’s area.",
        "The council has sent the plan or assessment to the new council.",
        "Contact the new council’s SEND team about anything from now on.",
    ),
    Stage.WITHDRAWN: StageText(
        "The request was withdrawn.",
        "Nothing more will happen with this request.",
        "You can make a new request at any time.",
    ),
}

YOUNG_PERSON: dict[Stage, StageText] = {
    **PARENT,
    Stage.REQUEST_RECEIVED: StageText(
        PARENT[Stage.REQUEST_RECEIVED].happening,
        PARENT[Stage.REQUEST_RECEIVED].next,
        "Send the council anything that shows your needs, such as reports from school, college or health "
        "professionals. Tell it your views.",
    ),
    Stage.DECIDING_TO_ASSESS: StageText(
        "The council is deciding whether you need an EHC needs assessment.",
        PARENT[Stage.DECIDING_TO_ASSESS].next,
        PARENT[Stage.DECIDING_TO_ASSESS].you_can,
    ),
    Stage.ASSESSING: StageText(
        PARENT[Stage.ASSESSING].happening,
        PARENT[Stage.ASSESSING].next,
        "Tell the council your views, and anyone else you think it should ask.",
    ),
    Stage.DECIDING_TO_ISSUE: StageText(
        "The council has the advice and is deciding whether you need an EHC plan.",
        PARENT[Stage.DECIDING_TO_ISSUE].next,
        PARENT[Stage.DECIDING_TO_ISSUE].you_can,
    ),
    Stage.NOT_ISSUING: StageText(
        PARENT[Stage.NOT_ISSUING].happening,
        "The council must tell you how your needs can be met without a plan. The case is closed unless the "
        "decision changes after mediation or an appeal.",
        _APPEAL,
    ),
    Stage.FINAL_PLAN: StageText(
        "You have a final EHC plan.",
        PARENT[Stage.FINAL_PLAN].next,
        "If you disagree with the plan, you can ask for mediation and appeal to the SEND Tribunal. Tell the "
        "council if your needs change.",
    ),
    Stage.ANNUAL_REVIEW: StageText(
        "The council is reviewing your EHC plan.",
        PARENT[Stage.ANNUAL_REVIEW].next,
        "Share your views before the meeting. You should get the invitation and advice at least 2 weeks "
        "before it.",
    ),
    Stage.CEASED: StageText("The council has decided to end your EHC plan.", PARENT[Stage.CEASED].next, _APPEAL),
    Stage.MOVED_AWAY: StageText(
        "You have moved to another council’s area.",
        PARENT[Stage.MOVED_AWAY].next,
        PARENT[Stage.MOVED_AWAY].you_can,
    ),
}


def stage_text(stage: Stage, young_person: bool) -> StageText:
    return (YOUNG_PERSON if young_person else PARENT)[stage]
