"""A private repository's access token never leaves the encrypted column.

A full cycle: a lead connects a private repository through the browser form and another through
the API, both with a token. The forge is a self-hosted one on this machine's private address,
reached as an operator reaches theirs (its network in SCAN_ALLOWED_NETWORKS, its internal CA in
SCAN_CA_BUNDLE); it receives the token in git's Authorization header, refuses it with 401, and
the scans fail. Then the token, and the Basic credentials git built from it, are searched for
in every log record, everything written to stdout and stderr, a dump of
the whole database, the pages and API answers that show the repositories, their scans and the
failed forms; with a real worker, also in the worker's log and in Redis.
"""

import base64
import datetime
import ipaddress
import logging
import secrets
import socket
import ssl
import subprocess
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from assessments.models import Repository, Scan, ScanStatus
from assessments.scanning import parse_allowed_networks

from .worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "ghp_" + secrets.token_hex(18)
SECRET_FORMS = (
    TOKEN,
    base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode(),
    TOKEN[4:20],  # a fragment: a truncated token in a message is still a leak
)


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _certificates(directory, address: str):
    """A certificate authority (as an operator's internal CA) and the forge's certificate."""
    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, public_key, signing_key, *extensions):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, forge_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = build(
        "Test forge CA",
        "Test forge CA",
        ca_key.public_key(),
        ca_key,
        (x509.BasicConstraints(ca=True, path_length=0), True),
    )
    forge = build(
        "forge",
        "Test forge CA",
        forge_key.public_key(),
        ca_key,
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), False),
    )
    paths = directory / "ca.pem", directory / "forge.pem", directory / "forge.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(forge.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_pem(forge_key))
    return paths


def _forge_address() -> str:
    """This machine's own address that SCAN_ALLOWED_NETWORKS may open (loopback may not be)."""
    found = set()
    for family, somewhere in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            # Connecting a UDP socket sends nothing; it only picks the route's source address.
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((somewhere, 9))
                found.add(probe.getsockname()[0])
        except OSError:
            continue
    for address in sorted(found):
        try:
            parse_allowed_networks([_single(address)])
        except ValueError:
            continue
        return address
    pytest.fail(f"No private address of this machine can host the test forge: {sorted(found)}.")


def _single(address: str) -> str:
    return f"{address}/128" if ":" in address else f"{address}/32"


@pytest.fixture
def private_forge(tmp_path, settings):
    """A self-hosted https forge behind an internal CA that answers every request with 401.

    It records each request's headers, so the test knows git really sent the token.
    Yields its base URL, the settings a worker needs to reach it, and the requests it saw.
    """
    address = _forge_address()
    ca, cert, key = _certificates(tmp_path, address)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    listener = socket.create_server((address, 0), family=family)
    listener.settimeout(0.2)
    stop = threading.Event()
    requests = []

    def serve():
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with raw:
                raw.settimeout(5)
                try:
                    with context.wrap_socket(raw, server_side=True) as tls:
                        head = b""
                        while b"\r\n\r\n" not in head and len(head) < 65536:
                            chunk = tls.recv(4096)
                            if not chunk:
                                break
                            head += chunk
                        requests.append(head.decode(errors="replace"))
                        tls.sendall(
                            b"HTTP/1.1 401 Unauthorized\r\n"
                            b'WWW-Authenticate: Basic realm="forge"\r\n'
                            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                        )
                except (ssl.SSLError, OSError):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    # Reached as an operator reaches a self-hosted forge: its network opened, its CA trusted.
    worker_settings = {
        "SCAN_ALLOWED_NETWORKS": _single(address),
        "SCAN_CA_BUNDLE": str(ca),
        "SCAN_ALLOW_LOCAL_PATHS": "false",
    }
    settings.SCAN_ALLOWED_NETWORKS = [worker_settings["SCAN_ALLOWED_NETWORKS"]]
    settings.SCAN_CA_BUNDLE = str(ca)
    settings.SCAN_ALLOW_LOCAL_PATHS = False
    host = f"[{address}]" if ":" in address else address
    try:
        yield f"https://{host}:{listener.getsockname()[1]}", worker_settings, requests
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def _database_dump() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.postgresql":
        return subprocess.run(
            [
                "pg_dump",
                "--host",
                settings.get("HOST") or "127.0.0.1",
                "--port",
                str(settings.get("PORT") or 5432),
                "--username",
                settings.get("USER") or "postgres",
                "--no-password",
                settings["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    return "\n".join(connection.connection.iterdump())


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _leaks(text: str) -> list[str]:
    return [form for form in SECRET_FORMS if form in text]


def _connect_and_fail(client, team, lead, org_admin, base_url, requests, wait=lambda: None):
    """Connect two private repositories, let their scans fail, and collect what is shown."""
    client.force_login(lead)
    # Through the browser form.
    response = client.post(
        reverse("repository_connect", args=[team.slug]),
        {
            "url": f"{base_url}/acme/private-models.git",
            "access_token": TOKEN,
            "scan_interval_hours": 24,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # Through the API.
    api = client.post(
        "/api/v1/repositories/",
        {
            "team": team.pk,
            "url": f"{base_url}/acme/private-features.git",
            "access_token": TOKEN,
            "scan_interval_hours": 24,
        },
        content_type="application/json",
    )
    assert api.status_code == 201, api.content.decode()[:500]
    wait()

    scans = list(Scan.objects.select_related("repository"))
    assert len(scans) == 2
    assert {scan.status for scan in scans} == {ScanStatus.FAILED}
    assert all("access token" in scan.failure_reason for scan in scans), [
        scan.failure_reason for scan in scans
    ]
    # The token really travelled: the forge saw it in the Authorization header git sent.
    sent = f"authorization: basic {SECRET_FORMS[1]}".lower()
    assert sum(sent in request.lower() for request in requests) >= 2, requests
    repository = Repository.objects.get(url__endswith="private-models.git")
    assert repository.access_token_encrypted

    # Failed forms: a refused URL and a refused interval must not echo the token back.
    refused = [
        client.post(
            reverse("repository_connect", args=[team.slug]),
            {
                "url": "https://10.0.0.1/acme/x.git",
                "access_token": TOKEN,
                "scan_interval_hours": 24,
            },
        ),
        client.post(
            reverse("repository_connect", args=[team.slug]),
            {"url": f"{base_url}/acme/y.git", "access_token": TOKEN, "scan_interval_hours": 0},
        ),
        client.post(
            "/api/v1/repositories/",
            {"team": team.pk, "url": "file:///etc", "access_token": TOKEN},
            content_type="application/json",
        ),
        client.post(
            "/api/v1/repositories/",
            {"team": team.pk, "url": f"{base_url}/z.git", "access_token": TOKEN * 40},
            content_type="application/json",
        ),
    ]
    assert [r.status_code for r in refused] == [200, 200, 400, 400]

    pages = [
        reverse("team_detail", args=[team.slug]),
        reverse("repository_detail", args=[repository.pk]),
        reverse("repository_connect", args=[team.slug]),
        "/api/v1/repositories/",
        f"/api/v1/repositories/{repository.pk}/",
        "/api/v1/scans/",
        *(f"/api/v1/scans/{scan.pk}/" for scan in scans),
        "/api/v1/export/results/?format=json",
        "/dashboard/",
    ]
    shown = [client.get(url) for url in pages]
    assert all(page.status_code == 200 for page in shown), [
        (url, page.status_code) for url, page in zip(pages, shown, strict=True)
    ]
    client.force_login(org_admin)
    shown.append(client.get(reverse("repository_detail", args=[repository.pk])))
    return "\n".join(_body(page) for page in [*refused, *shown])


def _log_text(caplog) -> str:
    return "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)


def test_a_failed_private_scan_leaves_the_token_nowhere(
    client, team, lead, org_admin, private_forge, caplog, capfd
):
    base_url, _, requests = private_forge
    caplog.set_level(logging.DEBUG)
    shown = _connect_and_fail(client, team, lead, org_admin, base_url, requests)

    out, err = capfd.readouterr()
    places = {
        "log records": _log_text(caplog),
        "stdout and stderr": out + err,
        "database dump": _database_dump(),
        "pages and API answers": shown,
    }
    assert {place: _leaks(text) for place, text in places.items()} == {
        place: [] for place in places
    }
    # The scan logs did say what went wrong, so the search had something to look at.
    assert "Authentication failed" in places["log records"]


def _redis_contents() -> str:
    """Every key and value in the broker's Redis database, as text."""
    import redis

    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    parts = []
    for key in client.scan_iter(count=500):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key)]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        else:
            values = []
        parts.append(key.decode(errors="replace"))
        parts.extend(v.decode(errors="replace") for v in values if v is not None)
    return "\n".join(parts)


@pytest.mark.redis
@pytest.mark.postgres
def test_with_a_real_worker_the_token_is_in_no_worker_log_nor_in_redis(
    client, team, lead, org_admin, private_forge, caplog, capfd, tmp_path
):
    base_url, worker_settings, requests = private_forge
    caplog.set_level(logging.DEBUG)
    worker_log = tmp_path / "worker.log"

    def scans_finished():
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            statuses = set(Scan.objects.values_list("status", flat=True))
            if Scan.objects.count() == 2 and statuses <= {
                ScanStatus.FAILED,
                ScanStatus.SUCCEEDED,
            }:
                return
            time.sleep(0.2)
        raise AssertionError(f"the scans did not finish: {worker_log.read_text()[-3000:]}")

    with running_worker(extra_env=worker_settings, log_path=worker_log):
        shown = _connect_and_fail(
            client, team, lead, org_admin, base_url, requests, wait=scans_finished
        )
        broker = _redis_contents()
    out, err = capfd.readouterr()
    places = {
        "worker log": worker_log.read_text(),
        "log records": _log_text(caplog),
        "stdout and stderr": out + err,
        "database dump": _database_dump(),
        "pages and API answers": shown,
        "redis": broker,
    }
    assert {place: _leaks(text) for place, text in places.items()} == {
        place: [] for place in places
    }
    # The worker ran the scans and said why they failed.
    assert "Authentication failed" in places["worker log"]
