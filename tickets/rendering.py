"""A form renderer that writes Django's own field and widget HTML with string operations.

Why: Django renders every form field through a chain of small templates (the field group, the
label, the widget, its attributes, each <option>); on the ticket page, which draws the composer
and the vendor escalation form on every view, that chain was a large part of the server time.
FastRenderer produces the same HTML, byte for byte (tests/tickets/test_fast_rendering.py
compares it with Django's for every form the ticket page draws), for the templates it knows: the
field group without a fieldset, labels, text-like inputs, checkboxes, textareas and selects.
Anything else (radio groups, fieldsets, error lists with errors, templates a project overrides)
goes to Django's templates as before, so using it never changes what a form looks like.

Use it per form: ``fast(form)`` (or ``form.renderer = FAST_RENDERER``) before the template
draws the form.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# Templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
        "file",
    )
}


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape: escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/attrs.html and django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    value_attr = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def _option(option: dict[str, Any]) -> str | None:
    if option["template_name"] != f"{WIDGETS}select_option.html":
        return None
    return (
        f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            html = _option(option)
            if html is None:
                return None
            parts.append(f"\n  {html}\n")  # select_option.html ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context: dict[str, Any]) -> str:
    if not context["use_tag"]:
        return conditional_escape(context["label"])
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{conditional_escape(context['label'])}</{tag}>"


def _field(context: dict[str, Any]) -> str | None:
    field = context["field"]
    if field.use_fieldset:
        return None
    errors = field.errors
    if errors:
        return None  # the error list's own template draws them
    label = field.label_tag() if field.label else ""
    help_html = ""
    if field.help_text:
        help_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
        help_html = f'<div class="helptext"{help_id}>{field.help_text}</div>'
    return f"{label}\n\n{help_html}\n\n{field}"


def _widget(render: Callable[[dict[str, Any]], str | None]):
    return lambda context: render(context["widget"])


FAST: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    f"{WIDGETS}textarea.html": _widget(_textarea),
    f"{WIDGETS}select.html": _widget(_select),
    **{name: _widget(_input) for name in INPUT_TEMPLATES},
}


class FastRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request=None) -> SafeString:
        fast = FAST.get(template_name)
        html = fast(context) if fast is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html.strip())


FAST_RENDERER = FastRenderer()


def fast[F: forms.BaseForm](form: F) -> F:
    """The form, drawn with FastRenderer from now on."""
    form.renderer = FAST_RENDERER
    return form
