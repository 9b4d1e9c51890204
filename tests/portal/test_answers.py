"""The new request form's plain-word answers map to impact, urgency and the matrix priority."""

import pytest

from portal import answers


@pytest.mark.parametrize(
    ("answer", "impact"),
    [("business_stopped", 1), ("team_stopped", 2), ("one_person", 3), ("minor", 4)],
)
def test_each_impact_answer_maps_to_its_impact(answer, impact):
    assert answers.impact_for(answer) == impact


@pytest.mark.parametrize(
    ("answer", "urgency"),
    [("right_now", 1), ("within_hours", 2), ("within_days", 3), ("whenever", 4)],
)
def test_each_urgency_answer_maps_to_its_urgency(answer, urgency):
    assert answers.urgency_for(answer) == urgency


@pytest.mark.parametrize(
    ("impact_answer", "urgency_answer", "priority"),
    [
        ("business_stopped", "right_now", 1),
        ("business_stopped", "within_days", 2),
        ("team_stopped", "within_hours", 2),
        ("one_person", "within_days", 3),
        ("one_person", "right_now", 2),
        ("minor", "whenever", 4),
        ("minor", "right_now", 3),
    ],
)
def test_answers_give_the_matrix_priority(impact_answer, urgency_answer, priority):
    assert answers.priority_for_answers(impact_answer, urgency_answer) == priority


def test_every_answer_pair_gives_a_priority_from_1_to_4():
    for impact in answers.IMPACT_ANSWERS:
        for urgency in answers.URGENCY_ANSWERS:
            assert answers.priority_for_answers(impact.key, urgency.key) in {1, 2, 3, 4}


def test_the_answers_cover_each_value_once_in_order_of_severity():
    assert [a.value for a in answers.IMPACT_ANSWERS] == [1, 2, 3, 4]
    assert [a.value for a in answers.URGENCY_ANSWERS] == [1, 2, 3, 4]


@pytest.mark.parametrize("answer", ["", "1", "everyone", "BUSINESS_STOPPED"])
def test_an_answer_never_offered_is_refused(answer):
    with pytest.raises(KeyError):
        answers.impact_for(answer)
    with pytest.raises(KeyError):
        answers.urgency_for(answer)
