"""The file field the staff composer and the portal's forms share: a plain
<input type=file multiple> that works without JavaScript (static/js/attachments.js adds drag and
drop and pasted screenshots on top). The limits are checked by attachments.services when the
post is written; the field only gathers the files."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attach files")
        kwargs.setdefault(
            "help_text",
            f"Up to {settings.ATTACHMENT_MAX_FILES} files, "
            f"{filesizeformat(settings.ATTACHMENT_MAX_BYTES)} each.",
        )
        kwargs.setdefault("widget", MultipleFileInput(attrs={"data-attachments": ""}))
        # In our words, like every form (accounts.form_messages): Django's would blame the
        # encoding type of the form.
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "That was not a file; choose the files again.",
                "missing": "A file did not arrive; choose the files again.",
                "empty": "One of the files is empty; leave it out or choose another.",
            },
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
