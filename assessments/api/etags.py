"""An answer's version as HTTP carries it: the ETag a read sends, and the If-Match header of
a write that must not overwrite a change it has not seen (their parameters in the schema, and
the version If-Match names)."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request

from .exceptions import PreconditionRequired

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The answer\'s version, quoted: "3"; "0" for an unanswered question.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        'The ETag you last read for this answer, such as "3"; "0" for a question not answered '
        "yet. A stale value answers 412 and changes nothing; `*` is not accepted."
    ),
)
_IF_MATCH_PATTERN = re.compile(r'"(\d{1,9})"|(\d{1,9})')


def expected_version(request: Request) -> int:
    """The version the client last saw, from If-Match (the answer's ETag)."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired(
            'Send If-Match with the answer\'s ETag ("0" for an unanswered question), so that '
            "nobody's change is overwritten unknowingly."
        )
    value = header.strip()
    if value == "*":
        raise PreconditionRequired(
            'If-Match: * is not accepted; send the answer\'s ETag ("0" for an unanswered question).'
        )
    match = _IF_MATCH_PATTERN.fullmatch(value)
    if match is None:
        raise exceptions.ParseError('If-Match must be one ETag as this API sends it, such as "3".')
    return int(match.group(1) or match.group(2))
