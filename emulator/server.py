"""Threaded HTTPS server (HTTP/1.1, keep-alive) running the WSGI app, and the embeddable EmulatorServer."""

from __future__ import annotations

import io
import json
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .app import EmulatorApp
from .identity import load_identity
from .seed import seed
from .store import Store
from .tls import ensure_certificates, server_context

DB_FILE = "emulator.sqlite3"
CONNECTION_FILE = "connection.json"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DataverseEmulator/1.0"
    sys_version = ""
    timeout = 120
    # Headers and body go out in separate writes; without TCP_NODELAY the body waits for the
    # client's delayed ACK (about 40 ms per answer on Linux).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        return

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _run(self) -> None:
        body = self._read_body()
        parts = urlsplit(self.path)
        dropped = []
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "PATH_INFO": unquote(parts.path, encoding="latin-1"),
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": str(self.server.server_address[0]),  # type: ignore[index]
            "SERVER_PORT": str(self.server.server_address[1]),  # type: ignore[index]
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "emulator.drop": lambda: dropped.append(True),
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        status_headers: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            status_headers[:] = [status, headers]

        chunks = b"".join(self.server.app(environ, start_response))  # type: ignore[attr-defined]
        if dropped:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        status, headers = status_headers
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and chunks:
            self.wfile.write(chunks)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _run


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: EmulatorApp | None, context: ssl.SSLContext) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.context = context
        self.open_connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            tls = self.context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
            tls.settimeout(30)
            tls.do_handshake()
            tls.settimeout(None)
        except (OSError, ssl.SSLError):
            self.shutdown_request(request)
            return
        with self._conn_lock:
            self.open_connections.add(tls)
        try:
            super().process_request_thread(tls, client_address)
        finally:
            with self._conn_lock:
                self.open_connections.discard(tls)

    def close_all(self) -> None:
        with self._conn_lock:
            for conn in list(self.open_connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class EmulatorServer:
    """A running emulator: one HTTPS port for the token endpoints, the Web API and the test knobs."""

    def __init__(self, state_dir: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ca_file, cert_file, key_file = ensure_certificates(self.state_dir)
        self.identity = load_identity(self.state_dir)
        self._httpd = _Server((host, port), None, server_context(cert_file, key_file))
        public_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - mapping only
        self.base_url = f"https://{public_host}:{self._httpd.server_address[1]}"
        self.org_url = self.base_url
        self.store = Store(self.state_dir / DB_FILE)
        seed(self.store, self.identity)
        self.app = EmulatorApp(self.store, self.identity, self.base_url)
        self._httpd.app = self.app
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
        self._httpd.close_all()
        if self._thread:
            self._thread.join(timeout=5)
        self.store.close()


def start_emulator(state_dir: str | Path, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Start an emulator in a background thread; returns once it is listening."""
    return EmulatorServer(state_dir, host, port).start()
