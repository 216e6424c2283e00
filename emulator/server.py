"""The emulator served over HTTPS by werkzeug's threaded WSGI server, and the embeddable EmulatorServer."""

from __future__ import annotations

import json
import socket
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import EmulatorApp
from .identity import load_identity
from .seed import seed
from .store import Store
from .tls import ensure_certificates, server_context

DB_FILE = "emulator.sqlite3"
CONNECTION_FILE = "connection.json"


class _Handler(WSGIRequestHandler):
    """werkzeug's request handler, quiet, keep-alive, and able to drop a connection for the `drop` fault."""

    protocol_version = "HTTP/1.1"
    server_version = "DataverseEmulator/1.0"  # type: ignore[assignment]  # a property in werkzeug
    sys_version = ""
    timeout = 120
    # Headers and body go out in separate writes; without TCP_NODELAY the body waits for the
    # client's delayed ACK (about 40 ms per answer on Linux).
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.open_connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.server.open_connections.discard(self.connection)  # type: ignore[attr-defined]
        super().finish()

    def run_wsgi(self) -> None:
        """Call the app and write its whole answer, keeping the connection open for the next request.

        werkzeug's own run_wsgi answers every request with "Connection: close" and then drains the socket
        (http.server cannot skip an unread body); clients keep their connections to Dataverse, and a new TLS
        handshake per request costs about 3 ms, so the emulator answers with keep-alive. Its app always
        reads the whole request body (Content-Length or de-chunked), so nothing is left to drain.
        """
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        answer: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return self.wfile.write

        try:
            body = b"".join(self.server.app(environ, start_response))
        except ConnectionError:  # the `drop` fault: no answer at all
            self.close_connection = True
            return
        except Exception:  # noqa: BLE001 - answer 500 rather than leave the client hanging
            self.log_error("emulator error on %s %s\n%s", self.command, self.path, traceback.format_exc())
            body, answer[:] = (
                b"internal error",
                ["500 Internal Server Error", [("Content-Type", "text/plain")]],
            )
            self.close_connection = True
        status, headers = answer
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        names = set()
        for name, value in headers:
            self.send_header(name, value)
            names.add(name.lower())
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def make_environ(self) -> Any:
        environ = super().make_environ()
        environ["emulator.drop"] = self._drop
        return environ

    def _drop(self) -> None:
        """Close the connection without an answer (the app then raises ConnectionAbortedError)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        if type == "error":
            super().log(type, message, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def _make_server(
    host: str, port: int, app: Callable[..., Iterable[bytes]], cert: Path, key: Path
) -> BaseWSGIServer:
    server = make_server(
        host, port, app, threaded=True, request_handler=_Handler, ssl_context=server_context(cert, key)
    )
    server.open_connections = set()  # type: ignore[attr-defined]
    return server


def _close_connections(server: BaseWSGIServer) -> None:
    for conn in list(server.open_connections):  # type: ignore[attr-defined]
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class EmulatorServer:
    """A running emulator: one HTTPS port for the token endpoints, the Web API and the test knobs."""

    def __init__(
        self, state_dir: str | Path, host: str = "127.0.0.1", port: int = 0, profile: str = "default"
    ) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ca_file, cert_file, key_file = ensure_certificates(self.state_dir)
        self.identity = load_identity(self.state_dir)
        self._app = _LateApp()
        self._httpd = _make_server(host, port, self._app, cert_file, key_file)
        public_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - mapping only
        self.base_url = f"https://{public_host}:{self._httpd.server_address[1]}"
        self.org_url = self.base_url
        self.store = Store(self.state_dir / DB_FILE)
        seed(self.store, self.identity, profile)
        self.profile = self.store.setting("profile") or "default"
        self.app = EmulatorApp(self.store, self.identity, self.base_url)
        self._app.app = self.app
        self.ca_file = str(ca_file)
        self.connection: dict[str, str] = {
            "org_url": self.org_url,
            "tenant_id": self.identity.tenant_id,
            "authority": f"{self.base_url}/{self.identity.tenant_id}",
            "client_id": self.identity.client_id,
            "client_secret": self.identity.client_secret,
            "ca_file": self.ca_file,
            "signin_client_id": self.identity.signin_client_id,
            "signin_client_secret": self.identity.signin_client_secret,
            "organization_id": self.store.setting("organization_id") or "",
            "profile": self.profile,
        }
        path = self.state_dir / CONNECTION_FILE
        path.write_text(json.dumps(self.connection, indent=2) + "\n")
        path.chmod(0o600)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="dataverse-emulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        _close_connections(self._httpd)
        if self._thread:
            self._thread.join(timeout=5)
        self.store.close()


class _LateApp:
    """The WSGI callable handed to the server before the app exists (the app needs the bound port)."""

    app: EmulatorApp | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        assert self.app is not None
        return self.app(environ, start_response)


def start_emulator(
    state_dir: str | Path, host: str = "127.0.0.1", port: int = 0, profile: str = "default"
) -> EmulatorServer:
    """Start an emulator in a background thread; returns once it is listening."""
    return EmulatorServer(state_dir, host, port, profile).start()
