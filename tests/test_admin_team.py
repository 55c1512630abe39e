"""The admin's team page: the latest-result pointer is shown, never edited by hand."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_the_team_admin_page_shows_the_latest_result_read_only(client, team):
    superuser = get_user_model().objects.create_superuser("root", password="x" * 20)
    client.force_login(superuser)

    response = client.get(f"/admin/assessments/team/{team.pk}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Latest result" in body
    # An editable field would render a menu of every result in the database.
    assert 'name="latest_result"' not in body
