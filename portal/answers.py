"""The new request form's plain-word questions, and what each answer means to the service desk.

Customers should not have to know our impact x urgency matrix (DESIGN rule 1): they say who is
stopped and how soon they need help, and these tables turn that into impact and urgency 1-4, from
which tickets.priority gives the priority. Pure data and functions, no database.
"""

from dataclasses import dataclass

from tickets.priority import priority_for


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    hint: str
    value: int


IMPACT_ANSWERS: tuple[Answer, ...] = (
    Answer(
        "business_stopped",
        "Our whole business has stopped",
        "Nobody can work, or customers cannot reach us.",
        1,
    ),
    Answer(
        "team_stopped",
        "A team or a key function is stopped",
        "For example the accounts team, the tills, or the phones.",
        2,
    ),
    Answer(
        "one_person",
        "One person is affected, or there is a workaround",
        "Work goes on, but more slowly or awkwardly.",
        3,
    ),
    Answer(
        "minor",
        "It's minor, or a request for something new",
        "A question, a new starter, a small change.",
        4,
    ),
)

URGENCY_ANSWERS: tuple[Answer, ...] = (
    Answer("right_now", "Right now", "Every minute costs us.", 1),
    Answer("within_hours", "Within a few hours", "It needs fixing today.", 2),
    Answer("within_days", "Within a few days", "It can wait a little.", 3),
    Answer("whenever", "Whenever is convenient", "No rush.", 4),
)

_IMPACT_BY_KEY = {answer.key: answer for answer in IMPACT_ANSWERS}
_URGENCY_BY_KEY = {answer.key: answer for answer in URGENCY_ANSWERS}


def impact_for(answer: str) -> int:
    """Impact 1-4 for a plain-word impact answer; KeyError for an answer we never offered."""
    return _IMPACT_BY_KEY[answer].value


def urgency_for(answer: str) -> int:
    """Urgency 1-4 for a plain-word urgency answer; KeyError for an answer we never offered."""
    return _URGENCY_BY_KEY[answer].value


def priority_for_answers(impact_answer: str, urgency_answer: str) -> int:
    """The priority the matrix gives these two answers (1 = P1)."""
    return priority_for(impact_for(impact_answer), urgency_for(urgency_answer))


def choices(answers: tuple[Answer, ...]) -> list[tuple[str, str]]:
    return [(answer.key, answer.label) for answer in answers]


def hints(answers: tuple[Answer, ...]) -> dict[str, str]:
    return {answer.key: answer.hint for answer in answers}
