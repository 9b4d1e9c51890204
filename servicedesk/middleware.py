"""Request checks that hold for every page and every API call."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.utils.csp import CSP

from servicedesk.errors import bad_query_parameter
from tickets.validators import NUL_REFUSED


class RefuseNulInQueryString:
    """A NUL character in any query parameter's name or value is a 400 before any view runs.

    PostgreSQL cannot hold NUL in text, so a NUL that reached a filter or a search would fail
    the query; forms' CharFields refuse it already, but many views read plain parameters
    (a search box, a page number), and this covers them all in one place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return bad_query_parameter(request, name.replace("\x00", "\\0"), NUL_REFUSED)
        return self.get_response(request)


class ContentSecurityPolicy(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware (SECURE_CSP), plus the Reporting-Endpoints header that names where
    the policy's `report-to` sends violations; `report-uri` says the same to older browsers."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if CSP.HEADER_ENFORCE in response:
            response.headers["Reporting-Endpoints"] = (
                f'{settings.CSP_REPORT_ENDPOINT}="{settings.CSP_REPORT_PATH}"'
            )
        return response
