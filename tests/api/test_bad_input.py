"""Whatever arrives, the API answers a JSON 4xx that says what is wrong, and writes nothing."""

import io

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIRequestFactory

from api.parsers import LimitedJSONParser, RequestTooLarge
from tests.vendors.factories import VendorFactory
from tickets.models import Ticket
from updates.models import TimelineEntry

TICKETS = "/api/v1/tickets/"


def post_raw(client, path, raw: bytes | str, content_type="application/json"):
    return client.generic("POST", path, raw, content_type=content_type)


@pytest.mark.parametrize(
    "raw",
    [
        '{"subject": "VPN", ',
        "{'subject': 'single quotes'}",
        '{"subject": NaN}',
        '{"impact": Infinity}',
        "[" * 100_000 + "]" * 100_000,
        b'{"subject": "\xff\xfe"}',
        "",
    ],
    ids=["truncated", "single-quotes", "nan", "infinity", "deeply-nested", "not-utf8", "empty"],
)
def test_malformed_json_answers_400_and_creates_nothing(api_client_for, agent, raw):
    response = post_raw(api_client_for(agent), TICKETS, raw)
    assert response.status_code == 400
    assert response.json()
    assert not Ticket.objects.exists()


def test_a_json_value_that_is_not_an_object_answers_400(api_client_for, agent):
    response = post_raw(api_client_for(agent), TICKETS, '["subject", "VPN"]')
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_form_encoded_bodies_are_refused_with_415(api_client_for, agent, organization):
    response = post_raw(
        api_client_for(agent),
        TICKETS,
        f"organization={organization.pk}&subject=VPN&impact=3&urgency=3",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Ticket.objects.exists()


def test_a_huge_body_answers_413_before_it_is_parsed(api_client_for, agent, ticket, settings):
    body = '{"body": "' + "x" * (settings.API_MAX_BODY_BYTES + 10) + '"}'
    response = post_raw(api_client_for(agent), f"{TICKETS}{ticket.pk}/updates/", body)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not TimelineEntry.objects.filter(author=agent).exists()


def test_a_body_without_a_declared_length_is_still_cut_off_at_the_limit(settings):
    settings.API_MAX_BODY_BYTES = 100
    request = APIRequestFactory().post("/", data="", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(b'{"body": "' + b"x" * 200 + b'"}')
    with pytest.raises(RequestTooLarge):
        LimitedJSONParser().parse(stream, parser_context={"request": request})
    small = io.BytesIO(b'{"body": "ok"}')
    assert LimitedJSONParser().parse(small, parser_context={"request": request}) == {"body": "ok"}
    with pytest.raises(ParseError):
        LimitedJSONParser().parse(io.BytesIO(b"{"), parser_context={"request": request})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/tickets/abc/",
        "/api/v1/tickets/99999999999999999999999999/",
        "/api/v1/tickets/99999999999999999999999999/updates/",
        "/api/v2/tickets/",
    ],
)
def test_unknown_paths_answer_a_json_404(api_client_for, agent, path):
    response = api_client_for(agent).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_id_too_large_for_the_database_is_just_not_found(api_client_for, agent):
    response = api_client_for(agent).get(f"{TICKETS}999999999999999999/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"organization": 2**63, "subject": "x", "impact": 3, "urgency": 3},
        {"organization": "1", "subject": "x", "impact": 3, "urgency": 3},
        {"organization": 1.5, "subject": "x", "impact": 3, "urgency": 3},
        {"organization": [1], "subject": "x", "impact": 3, "urgency": 3},
        {"organization": 1, "subject": ["x"], "impact": 3, "urgency": 3},
        {"organization": 1, "subject": "x\x00y", "impact": 3, "urgency": 3},
        {"organization": 1, "subject": "x", "impact": 10**40, "urgency": 3},
        {"organization": 1, "subject": "x", "impact": 3, "urgency": 3, "needed_by": 1700000000},
        {
            "organization": 1,
            "subject": "x",
            "impact": 3,
            "urgency": 3,
            "needed_by": "9999-12-31T23:59:59-23:59",
        },
    ],
)
def test_wrong_types_answer_400_and_create_nothing(api_client_for, agent, organization, payload):
    if payload["organization"] == 1:
        payload["organization"] = organization.pk
    response = api_client_for(agent).post(TICKETS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert not Ticket.objects.exists()


def test_errors_other_than_bad_fields_carry_detail_and_code(api_client_for, agent, ticket):
    response = api_client_for(agent).delete(f"{TICKETS}{ticket.pk}/")
    assert response.status_code == 405
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "method_not_allowed"


def test_an_out_of_range_page_answers_404_in_json(api_client_for, agent, ticket):
    response = api_client_for(agent).get(TICKETS, {"page": 99})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "needed_by", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "2100-01-01T00:00:00Z"]
)
def test_a_moment_beyond_the_years_allowed_answers_400(
    api_client_for, agent, organization, needed_by
):
    payload = {"organization": organization.pk, "subject": "Laptop for Sam", "impact": 3}
    response = api_client_for(agent).post(
        TICKETS, {**payload, "urgency": 3, "needed_by": needed_by}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"needed_by": ["Give a date between 2000 and 2099."]}
    assert not Ticket.objects.exists()


def test_an_offset_postgresql_refuses_is_read_as_the_same_moment_in_utc(api_client_for, agent):
    vendor = VendorFactory()
    path = f"/api/v1/vendors/{vendor.pk}/scorecard/"

    response = api_client_for(agent).get(path, {"until": "2026-12-31T00:00:00+16:00"})

    assert response.status_code == 200
    assert response.json()["until"] == "2026-12-30T08:00:00+00:00"


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59+14:00", "0001-01-01"])
def test_a_scorecard_period_beyond_the_years_allowed_answers_400(api_client_for, agent, until):
    vendor = VendorFactory()
    path = f"/api/v1/vendors/{vendor.pk}/scorecard/"

    response = api_client_for(agent).get(path, {"until": until})

    assert response.status_code == 400
    assert response.json() == {"until": ["Give a date between 2000 and 2099."]}


@pytest.mark.parametrize("name", ["search", "status", "ordering", "cursor", "page", "anything"])
def test_a_nul_in_a_query_parameter_answers_400_naming_it(api_client_for, contact, name):
    response = api_client_for(contact).get(TICKETS, QUERY_STRING=f"{name}=a%00b")

    assert response.status_code == 400
    assert response.json() == {name: ["Null characters are not allowed."]}
