"""Entra-ID-like authority: discovery, JWKS, client-credentials and auth-code (PKCE) grants, sign-in page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import jwt

from .http_types import Response, json_response
from .identity import Identity

TOKEN_LIFETIME = 3599
CODE_LIFETIME = 600
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class TokenError(Exception):
    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description


class Authority:
    def __init__(
        self,
        identity: Identity,
        base_url: str,
        org_url: str,
        people: Callable[[], list[dict[str, Any]]],
        app_user_oid: str,
    ) -> None:
        self.identity = identity
        self.base_url = base_url
        self.org_url = org_url
        self.people = people
        self.app_user_oid = app_user_oid
        self.tenant = identity.tenant_id
        self.issuer = f"{base_url}/{self.tenant}/v2.0"
        self.access_issuer = f"https://sts.windows.net/{self.tenant}/"
        self.public_key = identity.signing_key.public_key()
        self._codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @property
    def clients(self) -> dict[str, str]:
        return {
            self.identity.client_id: self.identity.client_secret,
            self.identity.signin_client_id: self.identity.signin_client_secret,
        }

    # ----- shared ----------------------------------------------------------------------------------------
    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims,
            self.identity.signing_key,
            algorithm="RS256",
            headers={"kid": self.identity.kid, "typ": "JWT"},
        )

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """Raise jwt exceptions unless the token is ours, current and meant for the org."""
        return jwt.decode(
            token,
            self.public_key,
            algorithms=["RS256"],
            audience=[self.org_url, self.org_url + "/"],
            issuer=self.access_issuer,
            options={"require": ["exp", "aud", "iss"]},
        )

    def error(self, err: TokenError, correlation_id: str | None = None) -> Response:
        trace_id = str(uuid.uuid4())
        correlation_id = correlation_id or str(uuid.uuid4())
        timestamp = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%SZ}"
        body = {
            "error": err.error,
            "error_description": f"AADSTS{err.code}: {err.description} Trace ID: {trace_id} "
            f"Correlation ID: {correlation_id} Timestamp: {timestamp}",
            "error_codes": [err.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }
        return json_response(err.status, body, {"Cache-Control": "no-store"}, content_type="application/json")

    def _client_info(self, person: dict[str, Any]) -> str:
        return _b64url(json.dumps({"uid": person["oid"], "utid": self.tenant}).encode())

    def _endpoint(self, name: str) -> str:
        return f"{self.base_url}/{self.tenant}/{name}"

    # ----- routes ---------------------------------------------------------------------------------------
    def handle(
        self,
        method: str,
        tenant: str,
        rest: str,
        query: dict[str, str],
        form: dict[str, str],
        headers: dict[str, str],
    ) -> Response:
        correlation = headers.get("client-request-id")
        if tenant != self.tenant:
            return self.error(
                TokenError(
                    400,
                    "invalid_tenant",
                    90002,
                    f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                    "tenant ID and are signing into the correct cloud.",
                ),
                correlation,
            )
        try:
            if (
                rest in ("v2.0/.well-known/openid-configuration", ".well-known/openid-configuration")
                and method == "GET"
            ):
                return json_response(200, self.discovery(), content_type="application/json")
            if rest == "discovery/v2.0/keys" and method == "GET":
                return json_response(200, self.jwks(), content_type="application/json")
            if rest == "oauth2/v2.0/token" and method == "POST":
                return self.token(form, headers)
            if rest == "oauth2/v2.0/authorize" and method == "GET":
                return self.authorize_page(query)
            if rest == "oauth2/v2.0/authorize" and method == "POST":
                return self.authorize_submit(form)
            if rest == "oauth2/v2.0/logout":
                target = query.get("post_logout_redirect_uri")
                if target:
                    return Response(302, {"Location": target})
                return Response(
                    200,
                    {"Content-Type": "text/html; charset=utf-8"},
                    b"<!doctype html><title>Signed out</title><p>You have signed out.</p>",
                )
        except TokenError as err:
            return self.error(err, correlation)
        return json_response(
            404,
            {"error": "not_found", "error_description": "Unknown endpoint."},
            content_type="application/json",
        )

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self._endpoint("oauth2/v2.0/authorize"),
            "token_endpoint": self._endpoint("oauth2/v2.0/token"),
            "jwks_uri": self._endpoint("discovery/v2.0/keys"),
            "end_session_endpoint": self._endpoint("oauth2/v2.0/logout"),
            "userinfo_endpoint": self._endpoint("openid/userinfo"),
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nbf",
                "name",
                "preferred_username",
                "email",
                "oid",
                "tid",
                "nonce",
                "roles",
                "groups",
            ],
            "tenant_region_scope": "EU",
            "request_uri_parameter_supported": False,
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
        }

    def jwks(self) -> dict[str, Any]:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key))
        key.update({"kid": self.identity.kid, "use": "sig", "alg": "RS256", "issuer": self.issuer})
        return {"keys": [key]}

    # ----- token endpoint -------------------------------------------------------------------------------
    def _client(self, form: dict[str, str], headers: dict[str, str]) -> str:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        if not client_id or client_id not in self.clients:
            raise TokenError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.tenant}'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )
        if not secret or not secrets.compare_digest(secret, self.clients[client_id]):
            raise TokenError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the "
                f"client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.",
            )
        return client_id

    def token(self, form: dict[str, str], headers: dict[str, str]) -> Response:
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "authorization_code"):
            raise TokenError(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant}'.",
            )
        client_id = self._client(form, headers)
        if grant == "client_credentials":
            return self._client_credentials(client_id, form)
        return self._auth_code(client_id, form)

    def _client_credentials(self, client_id: str, form: dict[str, str]) -> Response:
        scope = (form.get("scope") or "").strip()
        if not scope.endswith("/.default") or " " in scope:
            raise TokenError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must "
                "have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        resource = scope[: -len("/.default")].rstrip("/")
        if resource not in (self.org_url, self.base_url):
            raise TokenError(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named {self.tenant}.",
            )
        now = int(time.time())
        claims = {
            "aud": self.org_url,
            "iss": self.access_issuer,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME,
            "tid": self.tenant,
            "appid": client_id,
            "azp": client_id,
            "appidacr": "1",
            "idtyp": "app",
            "oid": self.app_user_oid,
            "sub": self.app_user_oid,
            "ver": "1.0",
            "uti": _b64url(os_random(16)),
        }
        return json_response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": self.sign(claims),
            },
            {"Cache-Control": "no-store"},
            content_type="application/json",
        )

    def _auth_code(self, client_id: str, form: dict[str, str]) -> Response:
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)
        invalid = TokenError(
            400,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity or is invalid.",
        )
        if grant is None or grant["expires"] < time.time() or grant["client_id"] != client_id:
            raise invalid
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise TokenError(
                400,
                "invalid_grant",
                50148,
                "The redirect URI specified in the request does not match the redirect URI "
                "used to obtain the authorization code.",
            )
        challenge = grant.get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier", "")
            if grant.get("code_challenge_method", "plain") == "S256":
                computed = _b64url(hashlib.sha256(verifier.encode()).digest())
            else:
                computed = verifier
            if not secrets.compare_digest(computed, challenge):
                raise TokenError(
                    400,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the "
                    "code_challenge supplied in the authorization request.",
                )
        person = grant["person"]
        now = int(time.time())
        id_claims = {
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME,
            "tid": self.tenant,
            "oid": person["oid"],
            "sub": person["oid"],
            "name": person["name"],
            "preferred_username": person["email"],
            "email": person["email"],
            "roles": person.get("roles", []),
            "groups": person.get("groups", []),
            "ver": "2.0",
            "uti": _b64url(os_random(16)),
        }
        if grant.get("nonce"):
            id_claims["nonce"] = grant["nonce"]
        scopes = grant["scope"].split()
        resource_scopes = [s for s in scopes if s.startswith("https://")]
        audience = resource_scopes[0].rsplit("/", 1)[0] if resource_scopes else GRAPH_APP_ID
        access_claims = {
            **id_claims,
            "aud": audience,
            "iss": self.access_issuer,
            "appid": client_id,
            "azp": client_id,
            "scp": " ".join(s for s in scopes if s not in ("openid", "profile", "offline_access", "email")),
            "ver": "1.0",
        }
        access_claims.pop("nonce", None)
        return json_response(
            200,
            {
                "token_type": "Bearer",
                "scope": grant["scope"],
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": self.sign(access_claims),
                "id_token": self.sign(id_claims),
                "client_info": self._client_info(person),
            },
            {"Cache-Control": "no-store"},
            content_type="application/json",
        )

    # ----- interactive sign-in ----------------------------------------------------------------------------
    def _check_authorize(self, params: dict[str, str]) -> None:
        if params.get("client_id") not in self.clients:
            raise TokenError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{params.get('client_id')}' was not found in the "
                f"directory '{self.tenant}'.",
            )
        if not params.get("redirect_uri"):
            raise TokenError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'redirect_uri'.",
            )
        if params.get("response_type", "code") != "code":
            raise TokenError(
                400, "unsupported_response_type", 700054, "Only response_type=code is supported here."
            )

    def authorize_page(self, query: dict[str, str]) -> Response:
        self._check_authorize(query)
        hint = query.get("login_hint", "")
        options = "".join(
            f'<option value="{html.escape(p["email"])}"{" selected" if p["email"] == hint else ""}>'
            f"{html.escape(p['name'])} ({html.escape(p['email'])})</option>"
            for p in self.people()
        )
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Sign in to your account</title>"
            "</head><body><main><h1>Sign in</h1>"
            f'<form method="post" action="{html.escape(self._endpoint("oauth2/v2.0/authorize"))}">{hidden}'
            f'<label for="email">Email</label> <select id="email" name="email">{options}</select> '
            '<button type="submit">Sign in</button></form></main></body></html>'
        )
        return Response(
            200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, page.encode()
        )

    def authorize_submit(self, form: dict[str, str]) -> Response:
        self._check_authorize(form)
        email = (form.get("email") or form.get("login_hint") or "").lower()
        person = next((p for p in self.people() if p["email"].lower() == email), None)
        if person is None:
            raise TokenError(
                400,
                "invalid_request",
                50034,
                f"The user account {email} does not exist in the {self.tenant} directory.",
            )
        code = _b64url(os_random(32))
        with self._lock:
            self._codes[code] = {
                "client_id": form["client_id"],
                "redirect_uri": form["redirect_uri"],
                "person": person,
                "scope": form.get("scope", "openid profile"),
                "nonce": form.get("nonce"),
                "code_challenge": form.get("code_challenge"),
                "code_challenge_method": form.get("code_challenge_method", "plain"),
                "expires": time.time() + CODE_LIFETIME,
            }
        answer = {
            "code": code,
            "client_info": self._client_info(person),
        }
        if form.get("state"):
            answer["state"] = form["state"]
        if form.get("response_mode") == "form_post":
            fields = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in answer.items()
            )
            page = (
                f'<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" '
                f'action="{html.escape(form["redirect_uri"])}">{fields}<noscript><button>Continue</button>'
                "</noscript></form></body></html>"
            )
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        separator = "&" if "?" in form["redirect_uri"] else "?"
        return Response(302, {"Location": f"{form['redirect_uri']}{separator}{urlencode(answer)}"})


def os_random(n: int) -> bytes:
    return secrets.token_bytes(n)
