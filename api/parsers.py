"""JSON bodies with a size limit.

DRF's parser reads the request stream directly, bypassing Django's DATA_UPLOAD_MAX_MEMORY_SIZE
check, so the limit is enforced here: by the declared Content-Length before reading, and by
reading at most one byte past the limit when the length is not declared.
"""

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.errors import RequestTooLarge


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
