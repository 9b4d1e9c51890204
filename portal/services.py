"""Writes the portal makes on a customer's behalf. They reuse the tickets and updates services;
nothing here changes a ticket by itself."""

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from sesame.utils import get_parameters

from accounts.models import Role, User
from attachments.services import files_removed_on_failure
from portal import answers
from portal.visibility import is_portal_user
from tickets import services as ticket_services
from tickets.models import Ticket
from updates import services as update_services

# A sign-in link is good for the portal only, never for a token elsewhere on the site.
SIGN_IN_SCOPE = "portal-sign-in"


def raise_request(
    *,
    contact: User,
    subject: str,
    description: str,
    impact_answer: str,
    urgency_answer: str,
    needed_by: datetime | None = None,
    people_affected: int | None = None,
    preferred_contact: str = "",
    contact_details: str = "",
    best_times: str = "",
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """A customer raises a request in their own words.

    1. The organisation and requester are always the contact's own: nothing from the form can
       point the ticket elsewhere.
    2. The plain-word answers become impact and urgency (portal.answers), so the ticket gets its
       matrix priority and its first-response promise from the intake service.
    3. The contact preferences and any files (on the opening entry) are stored in the same
       transaction: all or nothing.
    """
    if not is_portal_user(contact):
        raise ValidationError({"requester": "Only customer contacts raise requests here."})
    try:
        impact = answers.impact_for(impact_answer)
    except KeyError:
        raise ValidationError({"impact": "Choose how much of your business is affected."}) from None
    try:
        urgency = answers.urgency_for(urgency_answer)
    except KeyError:
        raise ValidationError({"urgency": "Choose how soon you need this fixed."}) from None
    with files_removed_on_failure(), transaction.atomic():
        ticket = update_services.open_ticket(
            attachments=attachments,
            organization=contact.organization,
            subject=subject,
            description=description,
            impact=impact,
            urgency=urgency,
            created_by=contact,
            requester=contact,
            needed_by=needed_by,
        )
        ticket = ticket_services.record_contact_preferences(
            ticket,
            people_affected=people_affected,
            preferred_contact=preferred_contact,
            contact_details=contact_details,
            best_times=best_times,
        )
    return ticket


def sign_in_link(user: User) -> str:
    query = urlencode(get_parameters(user, scope=SIGN_IN_SCOPE))
    return f"{settings.SITE_URL}{reverse('portal:sign_in')}?{query}"


def send_sign_in_link(*, email: str) -> bool:
    """Email a one-time sign-in link to the customer contact with this address.

    Answers whether a link was sent; callers must not tell the visitor (so the form cannot be
    used to find out who has an account). Staff have their own sign-in and get no link.
    """
    user = User.objects.filter(
        email__iexact=email.strip(), role=Role.CONTACT, is_active=True, is_superuser=False
    ).first()
    if user is None:
        return False
    context = {
        "user": user,
        "link": sign_in_link(user),
        "minutes": settings.SESAME_MAX_AGE // 60,
        "site_url": settings.SITE_URL,
    }
    subject = "Your sign-in link for the service desk"
    body = render_to_string("portal/email/sign_in_link.txt", context)
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return True
