"""The queue's filter form (django-filter): saved view, status, priority, owner, organisation,
search and sort, all in the query string so every queue is a shareable URL. Owner and customer are
autocomplete fields (tickets.autocomplete): 300 staff and 2,000 customers are not listed on every
page, and the URL carries the picked id (a typed name or number works too)."""

import django_filters
from django import forms

from tickets.autocomplete import (
    CUSTOMERS,
    STAFF,
    AutocompleteField,
    AutocompleteInput,
)
from tickets.models import Status, Ticket
from tickets.priority import PRIORITY_LABELS
from tickets.queue import DEFAULT_VIEW, SAVED_VIEWS, SORTS
from tickets.widgets import FastSelect


class AutocompleteFilter(django_filters.Filter):
    """Equality with the object an AutocompleteField resolved (`source=` names the picker)."""

    field_class = AutocompleteField


class QueueFilter(django_filters.FilterSet):
    # FastSelect: Django's widget templates took about a millisecond per small select.
    status = django_filters.ChoiceFilter(
        choices=Status.choices, empty_label="Any status", widget=FastSelect
    )
    priority = django_filters.ChoiceFilter(
        choices=sorted(PRIORITY_LABELS.items()), empty_label="Any priority", widget=FastSelect
    )
    owner = AutocompleteFilter(
        source=STAFF, label="Owner", widget=AutocompleteInput(STAFF, {"placeholder": "Anyone"})
    )
    organization = AutocompleteFilter(
        source=CUSTOMERS,
        label="Customer",
        widget=AutocompleteInput(CUSTOMERS, {"placeholder": "All customers"}),
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "owner", "organization"]


class QueueControls(forms.Form):
    """What the FilterSet does not filter: which saved view, the search (tickets.queue.paginate
    runs it bounded by the page's order), which order, where to start."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "SD-1042, words from subject, updates…"}
        ),
    )

    view = forms.ChoiceField(
        choices=[(slug, view.label) for slug, view in SAVED_VIEWS.items()], required=False
    )
    sort = forms.ChoiceField(
        choices=[("", "View default")] + [(slug, sort.label) for slug, sort in SORTS.items()],
        required=False,
        widget=FastSelect,
    )
    after = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or DEFAULT_VIEW
