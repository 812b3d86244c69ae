"""The answer-type prior moves passages holding the asked figure up, by how rare it is."""

from assistant.retrieval.answer_type import AnswerTypePrior
from assistant.retrieval.fusion import FusedHit

TEXTS = {
    "deadline": "反恐执行局将于2018年3月30日前向反恐委员会提交联合报告，供其审议。",
    "plan": "反恐委员会将审议反恐怖主义办公室和反恐执行局提交的联合报告。",
    "meeting": "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定。",
    "coordination": "反恐委员会主席将邀请反恐怖主义办公室最高层每年两次向委员会通报工作。",
}
HITS = [
    FusedHit("deadline", 3.02),
    FusedHit("plan", 3.00),
    FusedHit("coordination", 2.95),
    FusedHit("meeting", 2.80),
]


def _order(question: str, weight: float = 0.75, pool: int = 20) -> list[str]:
    prior = AnswerTypePrior(weight, pool)
    return [hit.item_id for hit in prior.rerank(question, HITS, TEXTS)]


def test_a_passage_holding_the_asked_meeting_and_date_comes_first() -> None:
    question = "At which meeting, and on what date, did the Committee consider the joint report?"
    assert _order(question)[0] == "meeting"
    assert _order("委员会在哪一天、第几次会议上审议了联合报告？")[0] == "meeting"


def test_an_untyped_question_keeps_the_fused_order() -> None:
    question = "What does the joint report say about coordination?"
    assert _order(question) == ["deadline", "plan", "coordination", "meeting"]


def test_a_type_every_candidate_holds_tells_nothing_apart() -> None:
    texts = {key: text + " 2017年1月1日" for key, text in TEXTS.items()}
    prior = AnswerTypePrior(0.75, 20)
    reranked = prior.rerank("On what date was the report considered?", HITS, texts)
    assert [hit.item_id for hit in reranked] == [hit.item_id for hit in HITS]
    assert [hit.score for hit in reranked] == [hit.score for hit in HITS]


def test_only_the_pool_is_reordered_and_weight_zero_changes_nothing() -> None:
    question = "At which meeting did the Committee consider the joint report?"
    assert _order(question, pool=3) == ["deadline", "plan", "coordination", "meeting"]
    assert _order(question, weight=0.0) == ["deadline", "plan", "coordination", "meeting"]
