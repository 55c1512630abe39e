"""Invitation fixtures: the site the emailed links point at, and how long an invitation lasts."""

import pytest


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver-site"
    settings.INVITATION_DAYS = 7
