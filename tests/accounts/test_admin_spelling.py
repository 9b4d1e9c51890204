"""The admin says "organisation", as the product does, though the schema keeps Django's
`organization`: field labels, help texts, list columns and filter titles.

Page titles and the model list come from the models' verbose names, which the models own."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Organization, User
from tests.factories import OrganizationFactory, TicketFactory
from updates.models import Loss, LossCategory


@pytest.fixture
def admin_client(client, organization):
    client.force_login(User.objects.create_superuser("root@example.test", "x"))
    return client


def _labels_columns_and_filters(html: str) -> list[str]:
    """The admin's own wording on a page: labels, help texts, column headings, filter titles."""
    found = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    found += re.findall(r'<div class="help"[^>]*>(.*?)</div>', html, re.S)
    found += re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)
    found += re.findall(r"<summary>(.*?)</summary>", html, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found]


def _admin_pages() -> list[str]:
    """Every registered model's list and add page."""
    pages = []
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        pages += [reverse(f"admin:{info[0]}_{info[1]}_{page}") for page in ("changelist", "add")]
    return pages


def test_no_label_column_or_filter_in_the_admin_says_organization(admin_client, organization):
    TicketFactory(organization=OrganizationFactory())  # two organisations: the filters show
    ticket = TicketFactory(organization=organization)
    Loss.objects.create(organization=organization, ticket=ticket, category=LossCategory.OTHER)
    pages = [
        *_admin_pages(),
        reverse("admin:accounts_user_change", args=[ticket.requester.pk]),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
    ]
    model_names = str(Organization._meta.verbose_name_plural)  # the model's ("Delete selected …")
    checked = 0
    for url in pages:
        response = admin_client.get(url)
        if response.status_code != 200:
            continue  # add pages some admins refuse
        for text in _labels_columns_and_filters(response.content.decode()):
            assert "organization" not in text.replace(model_names, "").lower(), (url, text)
            checked += 1
    assert checked > 100


def test_lists_show_an_organisation_column_and_filter(admin_client, organization):
    TicketFactory(organization=organization)
    TicketFactory(organization=OrganizationFactory())
    page = admin_client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    texts = _labels_columns_and_filters(page)
    assert "Organisation" in texts
    assert "By organisation" in texts
    assert organization.name in page
    sorted_page = admin_client.get(reverse("admin:tickets_ticket_changelist") + "?o=3")
    assert sorted_page.status_code == 200  # the column sorts by the organisation's name


def test_user_forms_say_organisation(admin_client, contact):
    add = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "Organisation:" in _labels_columns_and_filters(add)
    change = admin_client.get(reverse("admin:accounts_user_change", args=[contact.pk]))
    texts = _labels_columns_and_filters(change.content.decode())
    assert "Sees organisation tickets" in texts
    assert "The customer company a contact belongs to (contacts only)." in texts


@pytest.mark.browser
def test_the_ticket_list_in_the_admin_says_organisation(live_server, signed_in_page, organization):
    TicketFactory(organization=organization)
    TicketFactory(organization=OrganizationFactory())
    root = User.objects.create_superuser("root@example.test", "x")
    page = signed_in_page(root)
    page.goto(f"{live_server.url}{reverse('admin:tickets_ticket_changelist')}")
    expect(page.get_by_role("columnheader", name="Organisation")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_contain_text("By organisation")
    expect(page.locator("#changelist")).not_to_contain_text("rganization")
