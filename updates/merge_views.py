"""The ticket page's "Merge or split" panel (registered in UpdatesConfig.ready; tickets.panels)
and its two form posts, which call updates.merging. Plain forms: they work without JavaScript,
and on success go to the ticket that carries on (the survivor, or the new ticket)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from tickets.models import SUBJECT_MAX_LENGTH, Ticket
from tickets.panels import form_requested
from tickets.rendering import fast
from tickets.views import render_ticket_page
from tickets.web import apply_service_error, staff_view
from updates import merging
from updates.models import EntryKind, TimelineEntry

# The newest customer messages offered for a split; older ones are rarely split off.
SPLIT_CHOICES = 30


class MergeForm(forms.Form):
    into = forms.CharField(
        label="Merge this ticket into",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "SD-1042", "id": "merge-into"}),
        help_text="This ticket closes; its history, people and thread go on there.",
    )

    def clean_into(self) -> int:
        number = Ticket.number_from_reference(self.cleaned_data["into"])
        if number is None:
            raise ValidationError("Give the other ticket's reference, such as SD-1042.")
        return number


class SplitForm(forms.Form):
    entries = forms.TypedMultipleChoiceField(
        coerce=int, label="Customer messages to split off", widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(
        max_length=SUBJECT_MAX_LENGTH,
        label="Subject of the new ticket",
        widget=forms.TextInput(attrs={"id": "split-subject"}),
    )

    def __init__(self, *args: Any, replies: list[TimelineEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [
            (entry.pk, f"{entry.created_at:%d %b %H:%M}: {entry.body[:80]}") for entry in replies
        ]


def _replies(ticket: Ticket) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.CUSTOMER_REPLY)
        .only("pk", "body", "created_at")
        .order_by("-created_at", "-pk")[:SPLIT_CHOICES]
    )


def merge_panel_context(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    """The merge form (one text field, no query) and the split form, drawn when opened
    (tickets.panels rule 5): its customer messages are a query most views never use."""
    if not ticket.is_open:
        return {"merge_form": None, "split_form": None}
    split_form = bound.get("split")
    if split_form is None and form_requested(request, "split"):
        replies = _replies(ticket)
        split_form = SplitForm(replies=replies) if replies else None
        if split_form is None:
            return {"merge_form": fast(bound.get("merge") or MergeForm()), "no_replies": True}
    return {
        "merge_form": fast(bound.get("merge") or MergeForm()),
        "split_form": fast(split_form) if split_form is not None else None,
    }


@staff_view
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            survivor = merging.merge_ticket(ticket, into=form.cleaned_data["into"], by=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{ticket.reference} is merged into {survivor.reference}.")
            return redirect("ticket", pk=survivor.pk)
    return render_ticket_page(request, pk, bound={"merge": form}, status=400)


@staff_view
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    form = SplitForm(request.POST, replies=_replies(ticket))
    if form.is_valid():
        try:
            new = merging.split_ticket(
                ticket,
                entries=form.cleaned_data["entries"],
                subject=form.cleaned_data["subject"],
                by=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{new.reference} opened from {ticket.reference}.")
            return redirect("ticket", pk=new.pk)
    return render_ticket_page(request, pk, bound={"split": form}, status=400)
