"""The queue's filter form (django-filter): saved view, status, priority, owner, organisation,
search and sort, all in the query string so every queue is a shareable URL. Owner and customer are
autocomplete fields (tickets.autocomplete): 300 staff and 2,000 customers are not listed on every
page, and the URL carries the picked id (a typed name or number works too)."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Model
from django.http import QueryDict

from tickets.autocomplete import (
    CUSTOMERS,
    STAFF,
    AutocompleteField,
    AutocompleteInput,
)
from tickets.models import Status, Ticket
from tickets.priority import PRIORITY_LABELS
from tickets.queue import DEFAULT_VIEW, SAVED_VIEWS, SORTS, SavedView
from tickets.widgets import FastSelect

EVERYTHING = "all"


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
    # "view": keep a search inside the saved view; otherwise a search spans every view.
    scope = forms.ChoiceField(choices=[("", "Every view"), ("view", "This view")], required=False)

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or DEFAULT_VIEW


def search_scope(view: SavedView, search: str, *, narrowed: bool) -> SavedView:
    """The view a search runs in: "Everything" (every ticket, resolved and closed included)
    unless the agent narrowed it to the saved view they are in."""
    if not search.strip() or narrowed:
        return view
    return SAVED_VIEWS[EVERYTHING]


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def _without(params: QueryDict, *names: str) -> str:
    params = params.copy()
    for name in (*names, "after"):
        params.pop(name, None)
    return f"?{params.urlencode()}"


def filter_chips(
    params: QueryDict, filterset: QueueFilter, view: SavedView, scope: SavedView
) -> list[Chip]:
    """What narrows the list, each with the link that removes it: the saved view (when a search
    keeps to it, or when there is no search), the search, and each filter in use."""
    chips = []
    search = " ".join(params.get("q", "").split())
    if search:
        chips.append(Chip(f"Search: {search}", _without(params, "q", "scope")))
        if scope is view and view.slug != EVERYTHING:
            chips.append(Chip(f"Only in {view.label}", _without(params, "scope")))
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for name in ("status", "priority", "owner", "organization"):
        value = cleaned.get(name)
        if value in (None, ""):
            continue
        field = form.fields[name]
        if isinstance(value, Model):
            shown = getattr(value, "display_name", None) or str(value)
        else:
            labels = {str(key): label for key, label in getattr(field, "choices", [])}
            shown = labels.get(str(value), value)
        chips.append(Chip(f"{field.label}: {shown}", _without(params, name)))
    return chips
