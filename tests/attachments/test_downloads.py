"""Downloads go through the permission check (API.md "Attachments"): the file to whoever may see
its entry, as a download with nosniff; 404 to every other signed-in caller; never the file to an
anonymous one. Canary files: their bytes must never appear in an answer they should not."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.attachments.conftest import PNG, upload
from tests.factories import ContactFactory
from updates import services

PUBLIC_CANARY = b"CANARY-public-update-7f3a"
NOTE_CANARY = b"CANARY-internal-note-91bc"


@pytest.fixture
def public_file(ticket, agent):
    entry = services.post_public_update(
        ticket, author=agent, body="Log attached", attachments=[upload("log.txt", PUBLIC_CANARY)]
    )
    return entry.attachments.get()


@pytest.fixture
def note_file(ticket, agent):
    entry = services.add_internal_note(
        ticket, author=agent, body="Vendor notes", attachments=[upload("vendor.txt", NOTE_CANARY)]
    )
    return entry.attachments.get()


def url(attachment) -> str:
    return f"/api/v1/attachments/{attachment.pk}/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_requester_downloads_a_public_updates_file_with_safe_headers(
    api_client_for, contact, public_file
):
    response = api_client_for(contact).get(url(public_file))
    assert response.status_code == 200
    assert body_of(response) == PUBLIC_CANARY
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_signed_in_browser_session_downloads_too(client, contact, public_file):
    client.force_login(contact)
    response = client.get(url(public_file))
    assert response.status_code == 200
    assert body_of(response) == PUBLIC_CANARY


def test_staff_download_an_internal_notes_file(api_client_for, agent, note_file):
    response = api_client_for(agent).get(url(note_file))
    assert response.status_code == 200
    assert body_of(response) == NOTE_CANARY


def test_a_contact_never_gets_an_internal_notes_file(api_client_for, contact, note_file):
    response = api_client_for(contact).get(url(note_file))
    missing = api_client_for(contact).get("/api/v1/attachments/987654/")
    assert response.status_code == 404
    assert response.json() == missing.json()
    assert NOTE_CANARY not in body_of(response)


def test_another_organisations_contact_gets_404(api_client_for, other_contact, public_file):
    response = api_client_for(other_contact).get(url(public_file))
    assert response.status_code == 404
    assert PUBLIC_CANARY not in body_of(response)


def test_a_colleague_who_only_sees_their_own_requests_gets_404(
    api_client_for, organization, public_file
):
    colleague = ContactFactory(organization=organization)
    assert api_client_for(colleague).get(url(public_file)).status_code == 404


def test_the_organisations_admin_contact_may_download(api_client_for, organization, public_file):
    admin = ContactFactory(organization=organization, sees_organization_tickets=True)
    assert api_client_for(admin).get(url(public_file)).status_code == 200


@pytest.mark.parametrize("which", ["public_file", "note_file"])
def test_an_anonymous_caller_never_gets_a_file(request, which):
    attachment = request.getfixturevalue(which)
    response = Client().get(url(attachment))
    assert response.status_code in (401, 403)
    assert b"CANARY" not in body_of(response)


def test_a_deactivated_contact_loses_access(api_client_for, contact, public_file):
    client = api_client_for(contact)
    contact.is_active = False
    contact.save()
    response = client.get(url(public_file))
    assert response.status_code in (401, 403, 404)
    assert PUBLIC_CANARY not in body_of(response)


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("rapport été.pdf", "attachment; filename*=utf-8''rapport%20%C3%A9t%C3%A9.pdf"),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("a\r\nX-Injected: 1.txt", 'attachment; filename="a X-Injected: 1.txt"'),
    ],
)
def test_filenames_cannot_break_the_header(api_client_for, agent, ticket, filename, header):
    entry = services.add_internal_note(
        ticket, author=agent, body="file", attachments=[upload(filename)]
    )
    response = api_client_for(agent).get(url(entry.attachments.get()))
    assert response["Content-Disposition"] == header
    assert not response.has_header("X-Injected")


def test_html_and_svg_are_served_as_downloads_of_unknown_type(api_client_for, agent, ticket):
    entry = services.add_internal_note(
        ticket,
        author=agent,
        body="files",
        attachments=[
            upload("page.html", b"<script>alert(1)</script>", "text/html"),
            upload("logo.svg", b"<svg onload=alert(1)/>", "image/svg+xml"),
        ],
    )
    client = api_client_for(agent)
    for attachment in entry.attachments.all():
        response = client.get(url(attachment))
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert client.get(f"{url(attachment)}preview/").status_code == 404


def test_a_raster_image_has_an_inline_preview_for_those_who_may_see_it(
    api_client_for, contact, other_contact, ticket, agent
):
    entry = services.post_public_update(
        ticket, author=agent, body="Screenshot", attachments=[upload("shot.png", PNG, "text/html")]
    )
    preview = f"{url(entry.attachments.get())}preview/"
    response = api_client_for(contact).get(preview)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="shot.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert api_client_for(other_contact).get(preview).status_code == 404


def test_a_token_for_an_image_request_still_gets_json_errors(api_client_for, contact, note_file):
    response = api_client_for(contact).get(url(note_file), HTTP_ACCEPT="image/*")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_tokens_work_in_a_plain_http_client(contact, public_file):
    token, _ = Token.objects.get_or_create(user=contact)
    response = Client().get(url(public_file), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_a_signed_out_customer_following_an_emailed_link_is_asked_to_sign_in_first(
    contact, public_file
):
    browser = Client()
    response = browser.get(url(public_file), HTTP_ACCEPT="text/html,*/*")
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/portal/login/?next=%2Fapi%2Fv1%2Fattachments%2F{public_file.pk}%2F"
    )
    browser.force_login(contact)
    assert body_of(browser.get(url(public_file))) == PUBLIC_CANARY
