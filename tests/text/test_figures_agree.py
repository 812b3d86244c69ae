"""Run-time support checking and the evaluation's scorer read figures the same way.

``answer.evidence.numbers`` decides at run time whether a reply's figures occur in its passage;
``eval.normalize.fact_present`` decides in evaluation whether a key fact is in the reply. Both
read numerals through ``assistant.text.numerals``; this table of zh/en cases shows they agree.
"""

from __future__ import annotations

import pytest

from assistant.answer.evidence import numbers
from assistant.eval.normalize import fact_present

# (fact, text, the fact's figures are in the text). Facts are figures: the scorer also asks for
# a fact's words ("两个" wants its measure word 个), which is not a figure question.
CASES = [
    ("330", "委员会第三百三十次会议", True),
    ("330", "at its 330th meeting", True),
    ("2", "两个机构", True),
    ("4", "four key areas", True),
    ("7亿", "more than 700 million people", True),
    ("700 million", "7亿多人", True),
    ("19 April 2018", "2018年4月19日举行的会议", True),
    ("2018年4月19日", "on 19 April 2018", True),
    ("1,373", "1373 cases", True),
    ("59", "共有59国", True),
    ("59", "约36个国家", False),
    ("19 April 2018", "2018年3月30日前提交", False),
    ("7亿", "70 million", False),
    ("2", "三个机构", False),
]


@pytest.mark.parametrize(("fact", "text", "present"), CASES)
def test_support_and_scorer_agree_on_figures(fact: str, text: str, present: bool) -> None:
    runtime = numbers(fact) <= numbers(text)
    assert fact_present(fact, text) is present
    assert runtime is present
