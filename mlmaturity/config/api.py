"""The REST API (Django REST framework: authentication, throttling, errors) and its OpenAPI
schema (drf-spectacular)."""

from .environment import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials answers 401 with a Token challenge.
        "assessments.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "assessments.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "assessments.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["assessments.api.throttling.TokenClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Scripts using a personal token, per user; browser sessions are not throttled.
        "token-client": env.str("API_TOKEN_CLIENT_RATE", default="600/minute"),
        # Password-for-token trades, per client address (the per-username lockout comes on top).
        "auth-token": env.str("API_AUTH_TOKEN_RATE", default="10/minute"),
    },
    # Proxies in front of the app that append to X-Forwarded-For; 0 trusts only REMOTE_ADDR, so a
    # client cannot dodge the throttles by sending its own X-Forwarded-For.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MLMaturity API",
    "DESCRIPTION": (
        "MLOps maturity assessments, results and exports. Authenticate with a personal API "
        "token (`Authorization: Token <token>`) from your profile page or "
        "`POST /api/v1/auth/token/`. Every 4xx answer has the shape "
        '`{"detail", "error": {"code", "message", "fields"}}`, and so has a 503: the database '
        "was too busy to take the request; send it again after the Retry-After seconds. "
        "Answers use optimistic concurrency: an answer's version is its ETag, sent back in "
        "If-Match when changing it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's JavaScript and CSS come from the pinned sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Assessments and scans both have a `status`; each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "ScanStatusEnum": "assessments.models.ScanStatus",
        "ImportStateEnum": "assessments.models.ImportState",
        "CampaignTeamStateEnum": "assessments.maturity.campaigns.TeamState",
        "CapabilityStatusEnum": "assessments.maturity.results.STATUSES",
        "LensArticleStatusEnum": "assessments.maturity.lenses.ARTICLE_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "assessments.api.schema.add_error_responses",
    ],
}
