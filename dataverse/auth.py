"""Client-credentials access tokens for Dataverse, one msal application per environment per process."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any, Protocol

import requests

from .errors import AuthenticationError
from .transport import build_session, transport_error

logger = logging.getLogger("dataverse.auth")

DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


class TokenProvider(Protocol):
    def get_token(self) -> str: ...


class MsalApp(Protocol):
    def acquire_token_for_client(self, scopes: list[str], **kwargs: Any) -> dict[str, Any]: ...


AppFactory = Callable[..., MsalApp]


def _msal_app_factory(client_id: str, **kwargs: Any) -> MsalApp:
    import msal

    return msal.ConfidentialClientApplication(client_id, **kwargs)


class _TimeoutHttpClient:
    """The session msal uses, plus a default timeout (msal ignores ``timeout`` when given ``http_client``)."""

    def __init__(self, session: Any, timeout: float | tuple[float, float] | None) -> None:
        self._session = session
        self._timeout = timeout

    def get(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.get(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.post(*args, **kwargs)

    def close(self) -> None:
        self._session.close()


# Keyed per process, so the fingerprint (which covers the client secret) reveals nothing outside it.
_FINGERPRINT_KEY = secrets.token_bytes(32)


def _fingerprint(*values: object) -> str:
    digest = hmac.new(_FINGERPRINT_KEY, digestmod=hashlib.sha256)
    for value in values:
        digest.update(repr(value).encode())
        digest.update(b"\0")
    return digest.hexdigest()


class ClientCredentialsTokenProvider:
    """Tokens for ``{org_url}/.default`` through msal's client-credentials flow.

    The msal application is built on first use, because msal fetches the authority's discovery document in its
    constructor; it is then kept so that msal's token cache serves later calls without a network round trip.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        org_url: str,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        instance_discovery: bool = True,
        session: requests.Session | None = None,
        app_factory: AppFactory | None = None,
        timeout: float | tuple[float, float] | None = (5, 30),
    ) -> None:
        if not (tenant_id and client_id and client_secret and org_url):
            raise ValueError("tenant_id, client_id, client_secret and org_url are all required")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._client_secret = client_secret
        self.org_url = org_url.rstrip("/")
        self.authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self.instance_discovery = instance_discovery
        self.scopes = [f"{self.org_url}/.default"]
        self._session = session
        self._app_factory = app_factory or _msal_app_factory
        self._timeout = timeout
        self._app: MsalApp | None = None
        self._lock = threading.Lock()
        self._fingerprint = _fingerprint(
            tenant_id, client_id, client_secret, self.org_url, self.authority, instance_discovery, id(session)
        )

    def __repr__(self) -> str:
        return f"ClientCredentialsTokenProvider(authority={self.authority!r}, client_id={self.client_id!r})"

    def _get_app(self) -> MsalApp:
        with self._lock:
            if self._app is None:
                kwargs: dict[str, Any] = {
                    "client_credential": self._client_secret,
                    "authority": self.authority,
                    "instance_discovery": self.instance_discovery,
                    "http_client": _TimeoutHttpClient(self._session or build_session(), self._timeout),
                }
                try:
                    self._app = self._app_factory(self.client_id, **kwargs)
                except requests.RequestException as exc:
                    raise transport_error(exc, "GET", self.authority) from None
                except ValueError as exc:
                    # msal raises ValueError for a malformed authority or an unusable discovery document.
                    raise AuthenticationError(
                        f"The token authority {self.authority} could not be used: {exc}",
                        request_url=self.authority,
                    ) from None
            return self._app

    def get_token(self) -> str:
        """A bearer token for the org; served from msal's cache while it has more than five minutes left."""
        app = self._get_app()
        try:
            result = app.acquire_token_for_client(scopes=self.scopes)
        except requests.RequestException as exc:
            raise transport_error(exc, "POST", self.authority) from None
        except ValueError as exc:
            raise AuthenticationError(f"Token request failed: {exc}", request_url=self.authority) from None
        if result and result.get("access_token"):
            return str(result["access_token"])
        result = result or {}
        error = str(result.get("error") or "unknown_error")
        description = str(result.get("error_description") or "The token endpoint returned no access token.")
        logger.warning("Token request for %s failed: %s", self.authority, error)
        raise AuthenticationError(description, code=error, request_method="POST", request_url=self.authority)

    def invalidate(self, token: str | None = None) -> None:
        """Forget cached access tokens (all, or the one given) so the next call asks the authority again."""
        app = self._app
        cache = getattr(app, "token_cache", None)
        if cache is None:
            return
        try:
            items = list(cache.search("AccessToken"))
        except Exception:  # noqa: BLE001 - a cache that cannot be searched only costs a stale-token retry
            logger.debug("Could not search the msal token cache", exc_info=True)
            return
        for item in items:
            if token is None or item.get("secret") == token:
                cache.remove_at(item)


_registry: dict[str, ClientCredentialsTokenProvider] = {}
_registry_lock = threading.Lock()


def token_provider_for(
    key: str,
    *,
    tenant_id: str,
    client_id: str,
    client_secret: str,
    org_url: str,
    authority_host: str = DEFAULT_AUTHORITY_HOST,
    instance_discovery: bool = True,
    session: requests.Session | None = None,
    app_factory: AppFactory | None = None,
) -> ClientCredentialsTokenProvider:
    """The process-wide token provider for ``key`` (one per environment).

    The same provider (and so the same msal application and token cache) is returned while the settings are
    unchanged; a changed secret, tenant, client id, URL or session replaces it.
    """
    candidate = ClientCredentialsTokenProvider(
        tenant_id=tenant_id,
        client_id=client_id,
        client_secret=client_secret,
        org_url=org_url,
        authority_host=authority_host,
        instance_discovery=instance_discovery,
        session=session,
        app_factory=app_factory,
    )
    with _registry_lock:
        current = _registry.get(key)
        if current is not None and current._fingerprint == candidate._fingerprint:
            return current
        _registry[key] = candidate
        return candidate


def forget_token_providers() -> None:
    """Drop every cached provider (tests, or after environments were edited in bulk)."""
    with _registry_lock:
        _registry.clear()
