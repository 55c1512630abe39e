"""Security headers that Django does not set by itself."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the Content Security Policy: scripts only from our own static files, never inline.

    Styles allow 'unsafe-inline' because plotly.js positions chart elements with inline styles;
    scripts stay strict, which is what stops injected markup from running.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
