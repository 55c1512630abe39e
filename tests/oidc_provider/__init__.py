"""A small OpenID provider for the single sign-on tests: django-oauth-toolkit with OpenID Connect
on, RS256 with a key made at start, its own SQLite file, served by `serve.py` on 127.0.0.1.

Nothing here is part of the app; the tests start it (tests/oidc_support.py) and tell it which
users and client to know through its /testing/ endpoints, which exist only in this project.
"""
