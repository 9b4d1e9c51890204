"""Saved replies: text an agent posts again and again, with a few variables filled per ticket."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from tickets.models import BODY_MAX_LENGTH, Status

TITLE_MAX_LENGTH = 120
# The longest promise a reply may set, like any update's (a year).
LONGEST_PROMISE_MINUTES = 366 * 24 * 60


class SavedReply(models.Model):
    """A personal reply (only its author sees it) or a shared one (every staff member; managers
    manage them). Posting it counts one use."""

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    shared = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text="The status an update with this reply sets (blank: unchanged).",
    )
    next_update_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_PROMISE_MINUTES)],
        help_text="The promise it makes: that many wall-clock minutes after posting (blank: the "
        "cadence default).",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_replies"
    )
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "saved replies"
        indexes = [
            # The shared list every staff member reads (the personal ones come by author's FK).
            models.Index(fields=["title"], condition=models.Q(shared=True), name="reply_shared"),
        ]

    def __str__(self) -> str:
        return self.title
