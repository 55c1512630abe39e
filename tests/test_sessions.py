"""Sessions in the database, read with a compiled query, sign people in as Django's own
backend does: until they expire, are logged out or their key is not one."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from assessments.sessions import SessionStore


def test_a_stored_session_reads_as_djangos_backend_reads_it(db):
    stored = DjangoSessionStore()
    stored["_auth_user_id"] = "7"
    stored["note"] = "<b>é</b>"
    stored.create()

    ours = SessionStore(stored.session_key)

    assert ours.load() == DjangoSessionStore(stored.session_key).load()
    assert ours["note"] == "<b>é</b>"
    assert ours.session_key == stored.session_key


def test_an_expired_or_unknown_session_reads_as_empty_and_forgets_its_key(db):
    stored = DjangoSessionStore()
    stored["_auth_user_id"] = "7"
    stored.create()
    Session.objects.filter(session_key=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    for key in (stored.session_key, "unknownkey123456", "x" * 40):
        session = SessionStore(key)
        assert session.load() == {}
        assert session.session_key is None


def test_a_member_is_signed_in_until_they_log_out(client, member, settings):
    settings.SESSION_ENGINE = "assessments.sessions"
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))

    assert client.get(reverse("home")).status_code == 302
