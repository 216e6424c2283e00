from __future__ import annotations

import ssl

import pytest
import requests
from urllib3.exceptions import MaxRetryError

from dataverse import (
    AuthenticationError,
    ClientCredentialsTokenProvider,
    TransportError,
    build_session,
    token_provider_for,
)
from dataverse.auth import forget_token_providers

ORG = "https://contoso.crm.dynamics.com"


class FakeCache:
    def __init__(self) -> None:
        self.items = [{"secret": "tok-1"}]

    def search(self, credential_type):
        assert credential_type == "AccessToken"
        return list(self.items)

    def remove_at(self, item):
        self.items.remove(item)


class FakeApp:
    def __init__(self, client_id, **kwargs) -> None:
        self.client_id = client_id
        self.kwargs = kwargs
        self.results: list = []
        self.calls: list = []
        self.token_cache = FakeCache()

    def acquire_token_for_client(self, scopes, **kwargs):
        self.calls.append(scopes)
        item = self.results.pop(0) if self.results else {"access_token": "tok-1", "token_type": "Bearer"}
        if isinstance(item, Exception):
            raise item
        return item


class Factory:
    def __init__(self) -> None:
        self.apps: list[FakeApp] = []

    def __call__(self, client_id, **kwargs):
        app = FakeApp(client_id, **kwargs)
        self.apps.append(app)
        return app


@pytest.fixture(autouse=True)
def _clean_registry():
    forget_token_providers()
    yield
    forget_token_providers()


def settings(**overrides):
    base = dict(tenant_id="tenant-1", client_id="client-1", client_secret="s3cret", org_url=ORG + "/")
    base.update(overrides)
    return base


def test_construction_is_lazy_and_uses_authority_scope_and_session():
    factory = Factory()
    session = build_session()
    tp = ClientCredentialsTokenProvider(
        **settings(),
        session=session,
        app_factory=factory,
        authority_host="https://127.0.0.1:8443",
        instance_discovery=False,
    )
    assert factory.apps == []
    assert tp.get_token() == "tok-1"
    [app] = factory.apps
    assert app.client_id == "client-1"
    assert app.kwargs["authority"] == "https://127.0.0.1:8443/tenant-1"
    assert app.kwargs["instance_discovery"] is False
    assert app.kwargs["client_credential"] == "s3cret"
    assert app.kwargs["http_client"]._session is session
    assert app.calls == [["https://contoso.crm.dynamics.com/.default"]]


def test_token_provider_for_reuses_app_per_key():
    factory = Factory()
    tp1 = token_provider_for("env-1", **settings(), app_factory=factory)
    tp1.get_token()
    tp2 = token_provider_for("env-1", **settings(), app_factory=factory)
    assert tp2 is tp1
    tp2.get_token()
    assert len(factory.apps) == 1
    assert len(factory.apps[0].calls) == 2  # msal serves the second from its cache
    other = token_provider_for("env-2", **settings(), app_factory=factory)
    assert other is not tp1


def test_changed_secret_replaces_the_app():
    factory = Factory()
    tp1 = token_provider_for("env-1", **settings(), app_factory=factory)
    tp1.get_token()
    tp2 = token_provider_for("env-1", **settings(client_secret="new"), app_factory=factory)
    assert tp2 is not tp1
    tp2.get_token()
    assert len(factory.apps) == 2
    assert factory.apps[1].kwargs["client_credential"] == "new"


def test_entra_error_dict_becomes_authentication_error():
    factory = Factory()
    tp = ClientCredentialsTokenProvider(**settings(), app_factory=factory)
    tp._get_app().results.append(
        {
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "error_codes": [7000215],
        }
    )
    with pytest.raises(AuthenticationError) as info:
        tp.get_token()
    assert info.value.code == "invalid_client"
    assert "AADSTS7000215" in str(info.value)
    assert "s3cret" not in str(info.value) and "s3cret" not in repr(tp)


def test_tls_error_becomes_transport_error_with_reason():
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    cause.verify_message = "self-signed certificate in certificate chain"

    def factory(client_id, **kwargs):
        raise requests.exceptions.SSLError(MaxRetryError(None, "/", cause))

    tp = ClientCredentialsTokenProvider(**settings(), app_factory=factory)
    with pytest.raises(TransportError) as info:
        tp.get_token()
    assert "certificate verify failed" in str(info.value)
    assert info.value.tls_failure


def test_bad_authority_becomes_authentication_error():
    def factory(client_id, **kwargs):
        raise ValueError("Your given address (http://x/t) should consist of an https url")

    with pytest.raises(AuthenticationError) as info:
        ClientCredentialsTokenProvider(**settings(), app_factory=factory).get_token()
    assert "https url" in str(info.value)


def test_connection_error_during_token_request():
    factory = Factory()
    tp = ClientCredentialsTokenProvider(**settings(), app_factory=factory)
    tp._get_app().results.append(requests.exceptions.ConnectionError("Connection reset by peer"))
    with pytest.raises(TransportError):
        tp.get_token()


def test_invalidate_drops_the_cached_token():
    factory = Factory()
    tp = ClientCredentialsTokenProvider(**settings(), app_factory=factory)
    tp.get_token()
    tp.invalidate("other")
    assert factory.apps[0].token_cache.items == [{"secret": "tok-1"}]
    tp.invalidate("tok-1")
    assert factory.apps[0].token_cache.items == []


def test_build_session_ignores_environment():
    session = build_session("/path/ca.pem")
    assert session.trust_env is False and session.verify == "/path/ca.pem"
    assert build_session().verify is True


def test_real_msal_app_is_built_with_session(monkeypatch):
    import msal

    seen = {}

    def fake_init(self, client_id, **kwargs):
        seen.update(kwargs, client_id=client_id)

    monkeypatch.setattr(msal.ConfidentialClientApplication, "__init__", fake_init)
    monkeypatch.setattr(
        msal.ConfidentialClientApplication,
        "acquire_token_for_client",
        lambda self, scopes: {"access_token": "real"},
    )
    tp = ClientCredentialsTokenProvider(**settings())
    assert tp.get_token() == "real"
    assert seen["authority"] == "https://login.microsoftonline.com/tenant-1"
    assert seen["instance_discovery"] is True
