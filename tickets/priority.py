"""DESIGN rule 1: priority is business impact x urgency, each 1 (critical) .. 4 (low)."""

IMPACT_LABELS: dict[int, str] = {
    1: "Whole business stopped",
    2: "A department or key function",
    3: "One user, or a workaround exists",
    4: "Minor, or a request",
}
URGENCY_LABELS: dict[int, str] = {
    1: "Critical: needed right now",
    2: "High: needed within hours",
    3: "Medium: needed within days",
    4: "Low: whenever convenient",
}
PRIORITY_LABELS: dict[int, str] = {1: "P1", 2: "P2", 3: "P3", 4: "P4"}

# Rows are impact 1..4, columns urgency 1..4.
PRIORITY_MATRIX: tuple[tuple[int, ...], ...] = (
    (1, 1, 2, 3),
    (1, 2, 2, 3),
    (2, 2, 3, 4),
    (3, 3, 4, 4),
)


def priority_for(impact: int, urgency: int) -> int:
    """The matrix priority for an impact and an urgency; ValueError outside 1-4."""
    if impact not in IMPACT_LABELS:
        raise ValueError(f"Impact must be 1-4, not {impact!r}.")
    if urgency not in URGENCY_LABELS:
        raise ValueError(f"Urgency must be 1-4, not {urgency!r}.")
    return PRIORITY_MATRIX[impact - 1][urgency - 1]
