from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .services.login_guard import login_attempt_begin, login_attempt_succeeded


class LockoutModelBackend(ModelBackend):
    """Django's password check behind the guessing limit, for every way of logging in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if not login_attempt_begin(username=username):
            # PermissionDenied stops Django from trying other backends: locked means locked.
            raise PermissionDenied("locked out")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            login_attempt_succeeded(username=username)
        return user
