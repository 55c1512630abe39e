"""Sessions kept in the database (as Django's own backend keeps them), read with a query
compiled once.

Every page of a signed-in user reads their session first. Django's backend builds that query
with the ORM on each request, which cost a questionnaire page more than any of its own reads
(benchmarks/questionnaire_page.py); compiled once (see CompiledQuery), it costs a fraction.
With Redis the sessions are read from the cache instead (settings: SESSION_ENGINE).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from .compiled_queries import CompiledQuery

_SESSION = CompiledQuery(
    lambda session_key: Session.objects.filter(session_key=session_key).values_list(
        "session_data", "expire_date"
    ),
    texts=["session_key"],
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The unexpired session of this key, as Django's backend reads it (None, and the key
        forgotten, when there is none); expiry is checked here, against this server's clock
        as Django checks it, so the compiled query takes only the key."""
        key = self.session_key
        found = (
            _SESSION.rows(using=router.db_for_read(Session), session_key=key)
            if key is not None
            else []
        )
        if key is not None and found and found[0][1] > timezone.now():
            data, expire_date = found[0]
            return Session(session_key=key, session_data=data, expire_date=expire_date)
        self._session_key = None
        return None
