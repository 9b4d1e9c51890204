"""The queue's filter form (django-filter): saved view, status, priority, owner, organisation,
search and sort, all in the query string so every queue is a shareable URL."""

import django_filters
from django import forms
from django.db.models import QuerySet

from accounts.models import Organization, Role, User
from tickets.models import Status, Ticket
from tickets.priority import PRIORITY_LABELS
from tickets.queue import DEFAULT_VIEW, SAVED_VIEWS, SORTS
from tickets.search import search_tickets
from tickets.widgets import FastSelect

UNOWNED = "none"


def staff_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER]).order_by(
        "name", "email"
    )


class StaffSelect(FastSelect):
    def __init__(self, attrs=None, choices=()):
        super().__init__(
            attrs, choices, label_fields=("name", "email"), label=User.display_name_for
        )


class OwnerChoiceField(forms.ModelChoiceField):
    widget = StaffSelect

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "SD-1042, words from subject, updates…"}
        ),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    priority = django_filters.ChoiceFilter(
        choices=sorted(PRIORITY_LABELS.items()), empty_label="Any priority"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=staff_users(), empty_label="Anyone", widget=StaffSelect
    )
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.only("id", "name").order_by("name"),
        label="Customer",
        empty_label="All customers",
        widget=FastSelect(label_fields=("name",)),
    )

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "owner", "organization"]

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return search_tickets(queryset, value, include_internal=True)


class QueueControls(forms.Form):
    """What the FilterSet does not filter: which saved view, which order, where to start."""

    view = forms.ChoiceField(
        choices=[(slug, view.label) for slug, view in SAVED_VIEWS.items()], required=False
    )
    sort = forms.ChoiceField(
        choices=[("", "View default")] + [(slug, sort.label) for slug, sort in SORTS.items()],
        required=False,
    )
    after = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or DEFAULT_VIEW
