"""`runserver` as the embedded default serves it (scripts/run.py): Django's development server
with a listen backlog fit for a browser's parallel requests.

Django's server queues at most 10 connections waiting to be accepted; a page's assets, two
tabs and an API client at once overflow that on a busy machine and connections are reset.
Static files stay with WhiteNoise, as in production (whitenoise.runserver_nostatic).
"""

from django.core.servers.basehttp import WSGIServer
from whitenoise.runserver_nostatic.management.commands.runserver import Command as BaseCommand


class EmbeddedWSGIServer(WSGIServer):
    request_queue_size = 128


class Command(BaseCommand):  # type: ignore[misc]  # whitenoise ships no types
    server_cls = EmbeddedWSGIServer
