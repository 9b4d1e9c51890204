"""The staff page of saved replies (/replies/): each person's own and the shared ones; managers
manage the shared ones and see how often each reply was used."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from saved_replies import services
from saved_replies.forms import SavedReplyForm
from saved_replies.models import SavedReply
from saved_replies.selectors import may_manage, visible_replies
from tickets.web import hidden_staff_view as staff_view

FORM_FIELDS = ("title", "body", "status", "next_update_minutes", "shared")


def _values(form: SavedReplyForm) -> dict:
    return {name: form.cleaned_data[name] for name in FORM_FIELDS if name in form.cleaned_data}


def _apply(form: SavedReplyForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@staff_view
def reply_list(request: HttpRequest) -> HttpResponse:
    """Every reply the person sees, and a form for a new one."""
    user = request.user
    form = SavedReplyForm(request.POST or None, may_share=user.is_manager)
    if request.method == "POST" and form.is_valid():
        try:
            reply = services.create_reply(author=user, **_values(form))
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Saved “{reply.title}”.")
            return redirect("saved-replies")
    replies = list(visible_replies(user))
    return render(
        request,
        "saved_replies/reply_list.html",
        {
            "personal": [r for r in replies if not r.shared],
            "shared": [r for r in replies if r.shared],
            "form": form,
            "show_usage": user.is_manager,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _managed(request: HttpRequest, pk: int) -> SavedReply:
    reply = get_object_or_404(visible_replies(request.user), pk=pk)
    if not may_manage(request.user, reply):
        raise PermissionDenied("Managers manage the shared replies.")
    return reply


@staff_view
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _managed(request, pk)
    initial = {name: getattr(reply, name) for name in FORM_FIELDS}
    form = SavedReplyForm(request.POST or None, initial=initial, may_share=request.user.is_manager)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_reply(reply, by=request.user, **_values(form))
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Saved “{reply.title}”.")
            return redirect("saved-replies")
    return render(
        request,
        "saved_replies/reply_edit.html",
        {"reply": reply, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_view
@require_POST
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _managed(request, pk)
    services.delete_reply(reply, by=request.user)
    messages.success(request, f"Deleted “{reply.title}”.")
    return redirect("saved-replies")
