"""Fixtures that prove no network connection (or DNS lookup) happens during a test."""

from __future__ import annotations

import socket

import pytest

PUBLIC_ADDRESS = "140.82.112.3"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any socket connection or real DNS lookup."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"A network call was attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def answer(*addresses: str):
    """A fake resolver answering with ``addresses``, recording the names it was asked."""
    asked: list[str] = []

    def resolve(host, port, *args, **kwargs):
        asked.append(host)
        results = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            results.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return results

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def forbidden_resolver(host, port, *args, **kwargs):
    raise NetworkUsed(f"The URL should have been refused before resolving {host!r}")


def failing_resolver(host, port, *args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
