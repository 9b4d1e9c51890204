"""Feedback and losses (DESIGN rule 10): how customers judged us, and the events we learn from."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from tickets.models import BODY_MAX_LENGTH, DONE_STATUSES, Ticket
from updates import signals
from updates.models import Feedback, Loss, LossCategory

LOW_SCORE = 2


def _score(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError({field: "Give a score from 1 to 5."})
    return value


def _comment(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "Must be text."})
    if len(value) > BODY_MAX_LENGTH:
        raise ValidationError({field: f"At most {BODY_MAX_LENGTH:,} characters."})
    return value.strip()


def loss_category_for(kept_informed: int, resolved: int) -> str | None:
    """A 1 or 2 in either score is a loss: missed_update when "kept informed" is the lower score,
    else wrong_fix; None when both scores are 3 or more."""
    if min(kept_informed, resolved) > LOW_SCORE:
        return None
    return LossCategory.MISSED_UPDATE if kept_informed < resolved else LossCategory.WRONG_FIX


def record_feedback(
    ticket: Ticket, *, author: User, kept_informed: int, resolved: int, comment: str = ""
) -> Feedback:
    """The customer rates a resolved ticket once; a low score records a loss for managers."""
    kept_informed = _score(kept_informed, "kept_informed")
    resolved = _score(resolved, "resolved")
    comment = _comment(comment, "comment")
    if ticket.status not in DONE_STATUSES:
        raise ValidationError({"ticket": "Feedback opens once the ticket is resolved."})
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                ticket=ticket,
                author=author,
                kept_informed=kept_informed,
                resolved=resolved,
                comment=comment,
            )
            category = loss_category_for(kept_informed, resolved)
            signals.feedback_received.send(
                sender=Feedback, feedback=feedback, at=feedback.created_at
            )
            if category:
                loss = Loss.objects.create(
                    ticket=ticket,
                    organization_id=ticket.organization_id,
                    category=category,
                    description=comment
                    or f"Rated kept informed {kept_informed}/5, problem solved {resolved}/5.",
                    feedback=feedback,
                    recorded_by=author,
                )
                signals.loss_recorded.send(sender=Loss, loss=loss, at=loss.created_at)
    except IntegrityError as error:
        raise ValidationError({"ticket": "Feedback for this ticket was already given."}) from error
    return feedback


def record_loss(
    *,
    organization: Organization,
    category: str,
    description: str,
    recorded_by: User,
    ticket: Ticket | None = None,
    lessons: str = "",
) -> Loss:
    """A manager records a dissatisfaction event by hand, with its root cause."""
    if not recorded_by.is_manager:
        raise ValidationError({"recorded_by": "Only managers record losses."})
    if category not in LossCategory.values:
        raise ValidationError({"category": f"Use one of: {', '.join(LossCategory.values)}."})
    if not isinstance(organization, Organization):
        raise ValidationError({"organization": "Choose the customer organisation."})
    if ticket is not None and ticket.organization_id != organization.pk:
        raise ValidationError({"ticket": "That ticket belongs to another organisation."})
    description = _comment(description, "description")
    lessons = _comment(lessons, "lessons")
    with transaction.atomic():
        loss = Loss.objects.create(
            ticket=ticket,
            organization=organization,
            category=category,
            description=description,
            lessons=lessons,
            recorded_by=recorded_by,
        )
        signals.loss_recorded.send(sender=Loss, loss=loss, at=loss.created_at)
    return loss


def revise_loss(loss: Loss, *, category: str, lessons: str, by: User) -> Loss:
    """A manager settles the root cause of a loss and writes down what was learned."""
    if not by.is_manager:
        raise ValidationError({"recorded_by": "Only managers revise losses."})
    if category not in LossCategory.values:
        raise ValidationError({"category": f"Use one of: {', '.join(LossCategory.values)}."})
    loss.category = category
    loss.lessons = _comment(lessons, "lessons")
    loss.save(update_fields=["category", "lessons"])
    return loss
