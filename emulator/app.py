"""The WSGI application: routes token, Web API and knob requests, applies faults, keeps the request log."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import jwt

from . import batch
from .entra import Authority
from .errors import ODataError, bad_request, fault_error, segment_not_found
from .http_types import Call, Response, json_response
from .identity import Identity
from .knobs import Fault, Faults, RequestLog
from .store import Store
from .webapi import API_PREFIX, WebApi

_DROP = Response(0)


def _dropped() -> Iterator[bytes]:
    """An answer body that never comes: the server sees a dropped connection before sending headers."""
    raise ConnectionAbortedError("connection dropped by a fault")
    yield b""  # pragma: no cover - makes this a generator


class EmulatorApp:
    def __init__(self, store: Store, identity: Identity, base_url: str) -> None:
        self.store = store
        self.identity = identity
        self.base_url = base_url
        self.org_url = base_url
        self.api = WebApi(store, self.org_url)
        with store.lock:
            app_user = self._app_user(identity.client_id)
        self.authority = Authority(
            identity,
            base_url,
            self.org_url,
            self.people,
            (app_user or {}).get("azureactivedirectoryobjectid") or "",
        )
        self.faults = Faults()
        self.log = RequestLog()

    # ----- WSGI entry ---------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        query = environ.get("QUERY_STRING", "")
        if environ.get("wsgi.input_terminated"):  # chunked request body, already de-chunked by the server
            body = environ["wsgi.input"].read()
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        if path.startswith("/_emulator"):
            response = self.knobs(method, path, query, body, headers, environ.get("REMOTE_ADDR", ""))
        else:
            response = self.serve(method, path, query, body, headers)
        if response is _DROP:
            drop = environ.get("emulator.drop")
            if drop:
                drop()
                return _dropped()
            response = Response(502, {"Content-Type": "text/plain"}, b"connection dropped")
        response.headers.setdefault("Content-Length", str(len(response.body)))
        start_response(response.status_line, list(response.headers.items()))
        return [response.body]

    # ----- faults and logging -------------------------------------------------------------------------
    def serve(self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]) -> Response:
        started = time.perf_counter()
        operations: list[dict[str, str]] = []
        fault = self.faults.match(method, path)
        response: Response | None = None
        if fault and not fault.after_commit:
            response = self._apply_fault(fault, path)
        if response is None:
            try:
                response, deferred = self.route(method, path, query, body, headers, operations)
            except batch.DropConnection:
                response, deferred = _DROP, []
            late = fault if fault and fault.after_commit else (deferred[0] if deferred else None)
            if late is not None and response is not _DROP:
                response = self._apply_fault(late, path) or response
        self.log.add(method, path, response.status, (time.perf_counter() - started) * 1000, operations)
        return response

    def _apply_fault(self, fault: Fault, path: str) -> Response | None:
        if fault.delay_ms:
            time.sleep(fault.delay_ms / 1000)
        if fault.drop:
            return _DROP
        if not fault.status:
            return None
        if path.startswith("/api/"):
            return fault_error(fault.status, fault.retry_after).response()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        error = "temporarily_unavailable" if fault.status in (429, 503) else "server_error"
        return json_response(
            fault.status,
            {
                "error": error,
                "error_description": f"AADSTS50196: The server answered {fault.status}.",
                "error_codes": [50196],
            },
            headers,
            content_type="application/json",
        )

    # ----- routing --------------------------------------------------------------------------------------
    def route(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
        operations: list[dict[str, str]],
    ) -> tuple[Response, list[Fault]]:
        if path.startswith(API_PREFIX) or path + "/" == API_PREFIX:
            caller = self.authenticate(headers)
            if isinstance(caller, Response):
                return caller, []
            params = dict(parse_qsl(query, keep_blank_values=True))
            call = Call(method, path[len(API_PREFIX) :], params, headers, body, query)
            if call.path == "$batch" and method == "POST":
                try:
                    outcome = batch.run(self.api, call, caller, self.faults.match)
                except ODataError as err:
                    return err.response(), []
                operations.extend(outcome.operations)
                return outcome.response, outcome.deferred_faults
            return self.api.execute(call, caller), []
        if path.startswith("/api/"):
            segment = path.strip("/").split("/")[2] if path.count("/") > 2 else path
            return segment_not_found(segment).response(), []
        tenant, _, rest = path.strip("/").partition("/")
        form = {}
        if "application/x-www-form-urlencoded" in headers.get("content-type", ""):
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        if not tenant:
            return json_response(404, {"error": "not_found"}, content_type="application/json"), []
        return self.authority.handle(method, tenant, rest, dict(parse_qsl(query)), form, headers), []

    def _app_user(self, app_id: str) -> dict[str, Any] | None:
        return self.store.first("systemuser", "applicationid", app_id.lower())

    def authenticate(self, headers: dict[str, str]) -> dict[str, Any] | Response:
        auth = headers.get("authorization", "")
        challenge = {
            "WWW-Authenticate": f"Bearer authorization_uri={self.base_url}/{self.identity.tenant_id}"
            f"/oauth2/authorize, resource_id={self.org_url}/"
        }
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return ODataError(401, "", "Bearer token is missing.", challenge).response()
        try:
            claims = self.authority.verify_access_token(auth[7:].strip())
        except jwt.ExpiredSignatureError:
            return ODataError(401, "", "The access token has expired.", challenge).response()
        except jwt.PyJWTError as exc:
            return ODataError(401, "", f"The access token is invalid: {exc}", challenge).response()
        with self.store.lock:
            user = self._app_user(str(claims.get("appid", "")))
        if user is None or user.get("isdisabled"):
            return ODataError(403, "0x80072560", "The user is not a member of the organization.").response()
        return user

    def people(self) -> list[dict[str, Any]]:
        with self.store.lock:
            users = self.store.all("systemuser")
            app_roles = json.loads(self.store.setting("app_roles") or "{}")
        return [
            {
                "oid": u["azureactivedirectoryobjectid"],
                "name": u["fullname"],
                "email": u["internalemailaddress"],
                "roles": app_roles.get(u["internalemailaddress"], []),
                "groups": [],
            }
            for u in users
            if u.get("internalemailaddress")
            and u.get("accessmode") != 4
            and u.get("azureactivedirectoryobjectid")
        ]

    # ----- knobs ----------------------------------------------------------------------------------------
    def knobs(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str], peer: str
    ) -> Response:
        try:
            loopback = ipaddress.ip_address(peer.split("%")[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return ODataError(403, "0x80040220", "Test knobs are loopback only.").response()
        caller = self.authenticate(headers)
        if isinstance(caller, Response):
            return caller
        route = path.rstrip("/")
        try:
            if route == "/_emulator/faults":
                if method == "POST":
                    spec = json.loads(body or b"{}")
                    return json_response(201, {"id": self.faults.add(spec).id})
                if method == "GET":
                    return json_response(200, {"value": self.faults.listing()})
                if method == "DELETE":
                    self.faults.clear()
                    return Response(204)
            if route == "/_emulator/requests" and method == "GET":
                after = int(dict(parse_qsl(query)).get("after", 0))
                return json_response(200, {"value": self.log.after(after)})
            if route == "/_emulator/reset" and method == "POST":
                self.faults.clear()
                self.log.clear()
                return Response(204)
        except ODataError as err:
            return err.response()
        except ValueError:
            return bad_request("Invalid JSON or number.").response()
        return segment_not_found(path).response()
