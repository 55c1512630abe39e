"""OpenAPI post-processing: document the one error shape on every operation."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "The shape of every 4xx answer, and of 503.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence saying what went wrong."},
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "The same sentence as detail."},
                "fields": {
                    "type": "object",
                    "description": "Messages per invalid input field.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        },
    },
    "required": ["detail", "error"],
    "additionalProperties": True,
}
COMMON_ERRORS = {
    "400": "The input is invalid; the sentence says why.",
    "401": "No valid credentials (token missing, unknown or revoked).",
    "403": "Authenticated, but not allowed (a viewer writing, for example).",
    "404": "No such object, or it belongs to a team you cannot see.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
    "503": "The database was too busy to take the request; retry after the Retry-After header's "
    "seconds.",
}
PUBLIC_ERRORS = ("400", "403", "429", "503")  # the token trade needs no credentials


def add_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular's postprocessing hook: every operation lists the common error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            unauthenticated = operation.get("security") == [] or {} in operation.get(
                "security", [{}]
            )
            for code, description in COMMON_ERRORS.items():
                if unauthenticated and code not in PUBLIC_ERRORS:
                    continue
                responses.setdefault(code, {"description": description, "content": reference})
    return result
