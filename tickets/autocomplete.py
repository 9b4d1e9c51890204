"""Autocomplete pickers for customers, staff and customer contacts.

At a million tickets the desk has 2,000 customer organisations, 300 staff and 20,000 contacts: a
`<select>` listing them all was most of the staff queue's time and 100 KB of every page. Instead
a text field asks `/tickets/autocomplete/<source>/?q=` (htmx) for a few suggestions as the agent
types, and the server reads whatever the field holds:

1. a number (`17`, `#17`) is the object with that id (what a picked suggestion sends, so URLs
   stay short and stable);
2. otherwise the exact name, email or "Name <email>" label (case-insensitive), when one object
   has it;
3. otherwise the one object whose name or email contains the text;
4. anything else is a clear error naming what was typed (several matches are listed).

So the field works without JavaScript (type a name or a number and submit) and with it (pick a
suggestion). A chosen value is shown by its name, never by its id.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Model, Q, QuerySet, Value, When
from django.forms.utils import flatatt
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Organization, Role, User
from tickets.validators import NUL_REFUSED

SUGGESTION_LIMIT = 8
_NUMBER = re.compile(r"#?(\d{1,18})")
_LABEL_EMAIL = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


@dataclass(frozen=True)
class Suggestion:
    value: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Source:
    """Where one picker looks: which rows, matched on which text columns, shown how."""

    slug: str
    noun: str  # "customer": used in the messages
    rows: Callable[[], QuerySet]
    search_fields: tuple[str, ...]
    label: Callable[[Any], str]
    detail: Callable[[Any], str] = lambda obj: ""
    placeholder: str = "Type a name or number"

    def url(self) -> str:
        return _autocomplete_url(self.slug, get_script_prefix())

    def suggestions(self, text: str, *, rows: QuerySet | None = None) -> tuple[list, bool]:
        """Up to SUGGESTION_LIMIT matches for `text` (names starting with it first), and whether
        there are more."""
        rows = self.rows() if rows is None else rows
        text = " ".join(text.split())
        number = _number(text)
        if number is not None:
            found = list(rows.filter(pk=number)[:1])
            return [self.suggestion(obj) for obj in found], False
        if text:
            starts = Q()
            for field in self.search_fields:
                starts |= Q(**{f"{field}__istartswith": text})
            rows = (
                rows.filter(self._contains(text))
                .annotate(_starts=Case(When(starts, then=Value(0)), default=Value(1)))
                .order_by("_starts", *rows.query.order_by)
            )
        found = list(rows[: SUGGESTION_LIMIT + 1])
        return [self.suggestion(obj) for obj in found[:SUGGESTION_LIMIT]], len(found) > (
            SUGGESTION_LIMIT
        )

    def suggestion(self, obj) -> Suggestion:
        return Suggestion(obj.pk, self.label(obj), self.detail(obj))

    def resolve(self, text: str, *, rows: QuerySet | None = None):
        """The one object `text` names (see the module docstring), or a ValidationError saying
        why there is none."""
        rows = self.rows() if rows is None else rows
        text = " ".join(str(text).split())
        number = _number(text)
        if number is not None:
            found = rows.filter(pk=number).first()
            if found is None:
                raise ValidationError(
                    f"No {self.noun} has the number {number}.", code="invalid_choice"
                )
            return found
        exact = Q()
        email = _LABEL_EMAIL.search(text)
        if email:
            exact = Q(email__iexact=email.group(1))
        else:
            for field in self.search_fields:
                exact |= Q(**{f"{field}__iexact": text})
        for condition in (exact, self._contains(text)):
            found = list(rows.filter(condition)[:4])
            if len(found) == 1:
                return found[0]
            if found:
                names = ", ".join(self._described(obj) for obj in found[:3])
                more = " and more" if len(found) > 3 else ""
                raise ValidationError(
                    f"Several {self.noun}s match “{text}”: {names}{more}. "
                    "Type more of the name, or pick one from the suggestions.",
                    code="ambiguous",
                )
        raise ValidationError(f"No {self.noun} matches “{text}”.", code="invalid_choice")

    def _contains(self, text: str) -> Q:
        contains = Q()
        for field in self.search_fields:
            contains |= Q(**{f"{field}__icontains": text})
        return contains

    def _described(self, obj) -> str:
        detail = self.detail(obj)
        return f"{self.label(obj)} ({detail})" if detail else self.label(obj)


@cache
def _autocomplete_url(slug: str, script_prefix: str) -> str:
    # Reversing costs about a millisecond on the loaded dev box; the answer only changes with
    # the prefix the site is mounted under.
    return reverse("autocomplete", args=[slug])


def _number(text: str) -> int | None:
    match = _NUMBER.fullmatch(text)
    return int(match.group(1)) if match else None


def staff_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER]).order_by(
        "name", "email"
    )


def customer_contacts() -> QuerySet[User]:
    return (
        User.objects.filter(role=Role.CONTACT, is_active=True)
        .select_related("organization")
        .order_by("name", "email")
    )


def contact_label(user: User) -> str:
    """A contact's name and address: unique, so typing it back resolves to the same person."""
    return f"{user.display_name} <{user.email}>"


CUSTOMERS = Source(
    slug="customers",
    noun="customer",
    rows=lambda: Organization.objects.only("id", "name").order_by("name"),
    search_fields=("name",),
    label=lambda organization: organization.name,
    placeholder="Type a customer's name",
)
STAFF = Source(
    slug="staff",
    noun="staff member",
    rows=lambda: staff_users().only("id", "name", "email"),
    search_fields=("name", "email"),
    label=lambda user: user.display_name,
    detail=lambda user: user.email,
    placeholder="Type a name or email",
)
CONTACTS = Source(
    slug="contacts",
    noun="customer contact",
    rows=customer_contacts,
    search_fields=("name", "email"),
    label=contact_label,
    detail=lambda user: user.organization.name,
    placeholder="Type a name or email",
)
SOURCES: dict[str, Source] = {source.slug: source for source in (CUSTOMERS, STAFF, CONTACTS)}


class AutocompleteInput(forms.TextInput):
    """A search box that asks its source for suggestions (htmx) into a listbox below it; see
    static/js/autocomplete.js for the keyboard and mouse handling. Server-rendered with plain
    string operations, every value escaped."""

    input_type = "search"

    def __init__(self, source: Source, attrs: dict | None = None):
        super().__init__(attrs)
        self.source = source

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        field_id = final.get("id") or f"id_{name}"
        listbox = f"{field_id}-options"
        final.update(
            {
                "type": "search",
                "name": name,
                "id": field_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox,
                "placeholder": final.get("placeholder", self.source.placeholder),
                "data-autocomplete": self.source.slug,
                "hx-get": self.source.url(),
                # Focus asks only while the field is empty; autocomplete.js vetoes the rest (a trigger
                # filter would need eval, which the Content-Security-Policy forbids).
                "hx-trigger": "input changed delay:200ms, focus",
                "hx-target": f"#{listbox}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                # Inside the queue's filter form, which pushes its URL: suggestions must not.
                "hx-push-url": "false",
            }
        )
        if isinstance(value, Model):
            # A chosen object shows its name; the script sends its id while the name is untouched.
            final["value"] = self.source.label(value)
            final["data-chosen-value"] = str(value.pk)
            final["data-chosen-label"] = final["value"]
        elif value not in (None, ""):
            final["value"] = str(value)
        return mark_safe(
            f'<span class="autocomplete"><input{flatatt(final)}>'
            f'<ul id="{escape(listbox)}" class="autocomplete-options" role="listbox" '
            f'aria-label="{escape(self.source.noun.capitalize())} suggestions" hidden></ul></span>'
        )


class AutocompleteField(forms.Field):
    """A model choice typed or picked through an AutocompleteInput (see the module docstring).
    `rows` narrows the source (e.g. a form's own queryset); it defaults to the source's."""

    def __init__(self, *, source: Source, rows: QuerySet | None = None, **kwargs):
        self.source = source
        self.rows = rows
        self._resolved: tuple[str, Any] | None = None
        kwargs.setdefault("widget", AutocompleteInput(source))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            return value
        text = str(value)
        if "\x00" in text:
            # A forms.Field has no ProhibitNullCharactersValidator (CharField has), and the lookup
            # below would send the NUL to PostgreSQL, which refuses it.
            raise ValidationError(NUL_REFUSED, code="null_characters_not_allowed")
        found = self.source.resolve(text, rows=self.rows)
        self._resolved = (text, found)
        return found

    def prepare_value(self, value):
        """Show what the typed text resolved to by its name (the widget renders a model)."""
        if isinstance(value, Model):
            return value
        if self._resolved is not None and value == self._resolved[0]:
            return self._resolved[1]
        return value

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy._resolved = None
        return copy
