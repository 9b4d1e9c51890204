"""The favicon: /favicon.ico answers with an icon (browsers ask for it on every site, the admin
included), and the staff and portal base templates link it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_an_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/login/", "/portal/login/"])
def test_pages_link_the_icon(path):
    page = Client().get(path).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page
    assert 'favicon.svg" type="image/svg+xml"' in page
