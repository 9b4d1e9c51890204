"""JSON bodies with a size limit and no way to crash the parser.

Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF reads it (api.errors turns that
into a 413); this parser checks the same limit itself too, by the declared Content-Length and by
reading at most one byte past the limit, so it holds whatever stream DRF hands it. NaN, Infinity
and documents nested deeply enough to exhaust the recursion limit are a 400, not a 500.
"""

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = RequestTooLarge(f"The request body is larger than {limit:,} bytes.")
        try:
            if declared and int(declared) > limit:
                raise too_large
        except ValueError:
            raise ParseError("Content-Length is not a number.") from None
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise too_large
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        except RecursionError as error:
            raise ParseError("JSON parse error - the document is nested too deeply.") from error
