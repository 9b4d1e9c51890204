"""Form widgets that stay fast with thousands of choices."""

from collections.abc import Callable, Iterable
from html import escape

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A `<select>` with the same HTML as Django's, built with plain string operations.

    Django renders every `<option>` through two template includes: with 2,000 customers and 300
    staff in the queue's filters that was most of the staff queue's server time
    (docs/benchmarks.md). Choices and the selected value are Django's own; every value and label
    is escaped (`html.escape`, quotes included).

    For a model choice field, `label_fields` (and `label`, given those fields' values) read the
    labels with `values_list` instead of building a model instance per option, which was most
    of the remaining cost.
    """

    def __init__(
        self,
        attrs=None,
        choices=(),
        *,
        label_fields: tuple[str, ...] = (),
        label: Callable[..., str] | None = None,
    ):
        super().__init__(attrs, choices)
        self.label_fields = label_fields
        self.label = label or (lambda *values: str(values[0]))

    def _fast_choices(self) -> Iterable:
        if not (self.label_fields and isinstance(self.choices, ModelChoiceIterator)):
            return self.choices
        field = self.choices.field
        rows = self.choices.queryset.values_list("pk", *self.label_fields)
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + [(row[0], self.label(*row[1:])) for row in rows]

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        selected = {str(v) for v in self.format_value(value)}
        parts = []
        for option_value, option_label in self._fast_choices():
            if isinstance(option_label, (list, tuple)):  # an optgroup
                parts.append(f'<optgroup label="{escape(str(option_value))}">')
                parts.extend(self._option(v, label, selected) for v, label in option_label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(option_value, option_label, selected))
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>\n'
            + "\n".join(parts)
            + "\n</select>"
        )

    @staticmethod
    def _option(value, label, selected: set[str]) -> str:
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        return f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>'


class PlainModelChoiceIterator(ModelChoiceIterator):
    """Reads the choices with one ordinary query, kept in the queryset's result cache.

    Django's own iterator uses `QuerySet.iterator()`, which on PostgreSQL opens a server-side
    cursor (DECLARE, FETCH, CLOSE: three round trips) and reads the rows again each time the
    choices are walked. For the short lists the ticket page draws several times (work types,
    open incidents) that cost more than the rows themselves."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class PlainModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for short lists (see PlainModelChoiceIterator)."""

    iterator = PlainModelChoiceIterator
