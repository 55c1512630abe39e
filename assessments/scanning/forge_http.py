"""HTTPS to a forge's API, pinned to the address that was checked (stdlib only).

The connection goes to ``SafeApiURL.address``, never to a second DNS answer, while TLS checks
the certificate against the host name. Redirects are not followed (the lister refuses them),
bodies are read up to a bound, and every call has a timeout. ``ca_bundle`` replaces the system's
certificate authorities (tests pass their own, made with trustme).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

from .forge_addresses import SafeApiURL
from .forge_listing import (
    MAX_PAGE_BYTES,
    ForgeAnswerTooLarge,
    ForgeError,
    ForgeResponse,
    same_origin,
)


class _PinnedConnection(http.client.HTTPSConnection):
    def __init__(self, api: SafeApiURL, *, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(api.host, api.port, timeout=timeout, context=context)
        self._address = api.address
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class PinnedHTTPS:
    """A transport for ``ForgeLister``: one kept-alive connection to the pinned address."""

    def __init__(
        self,
        api: SafeApiURL,
        *,
        ca_bundle: str | None = None,
        timeout: float = 20.0,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> None:
        self.api = api
        self.max_bytes = max_bytes
        context = ssl.create_default_context(cafile=ca_bundle or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._connection = _PinnedConnection(api, timeout=timeout, context=context)

    def __call__(self, url: str, headers: Mapping[str, str]) -> ForgeResponse:
        if not same_origin(url, self.api):
            raise ForgeError("The import only talks to the forge's own API host.")
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        for attempt in (1, 2):
            try:
                self._connection.request("GET", target, headers=dict(headers))
                response = self._connection.getresponse()
                body = response.read(self.max_bytes + 1)
                if len(body) > self.max_bytes:
                    self.close()
                    raise ForgeAnswerTooLarge(
                        f"A page of the forge's answer is larger than {self.max_bytes} bytes."
                    )
                if response.will_close:
                    self.close()
                return ForgeResponse(
                    status=response.status,
                    headers={k.lower(): v for k, v in response.getheaders()},
                    body=body,
                )
            except ssl.SSLCertVerificationError:
                self.close()
                raise ForgeError(
                    f"The certificate of {self.api.host} could not be verified."
                ) from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: once more on a new one.
                self.close()
                if attempt == 2:
                    raise ForgeError(
                        f"The forge at {self.api.host} closed the connection."
                    ) from None
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if isinstance(error, TimeoutError | socket.timeout):
                    raise ForgeError(
                        f"The forge at {self.api.host} did not answer in time."
                    ) from None
                raise ForgeError(f"The forge at {self.api.host} could not be reached.") from None
        raise ForgeError(f"The forge at {self.api.host} could not be reached.")  # pragma: no cover

    def close(self) -> None:
        self._connection.close()
