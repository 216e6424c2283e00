"""Entra-like token endpoints, including msal against them unchanged."""

from __future__ import annotations

import jwt
import msal
from conftest import make_session, token_form, token_url


def test_client_credentials_success(emu, raw):
    answer = raw.post(token_url(emu), data=token_form(emu))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 and body["ext_expires_in"] == 3599
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == emu.org_url
    assert claims["iss"] == f"https://sts.windows.net/{emu.connection['tenant_id']}/"
    assert claims["appid"] == claims["azp"] == emu.connection["client_id"]
    assert claims["ver"] == "1.0" and claims["oid"] and claims["exp"] > claims["iat"]
    header = jwt.get_unverified_header(body["access_token"])
    keys = raw.get(f"{emu.base_url}/{emu.connection['tenant_id']}/discovery/v2.0/keys").json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] == keys[0]["kid"]


def test_wrong_secret(emu, raw):
    answer = raw.post(token_url(emu), data=token_form(emu, client_secret="nope"))
    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "invalid_client" and body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215:")
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)


def test_unknown_client(emu, raw):
    answer = raw.post(token_url(emu), data=token_form(emu, client_id="11111111-1111-1111-1111-111111111111"))
    assert answer.status_code == 400 and answer.json()["error"] == "unauthorized_client"
    assert answer.json()["error_codes"] == [700016]


def test_bad_scope_and_grant(emu, raw):
    assert (
        raw.post(token_url(emu), data=token_form(emu, scope="User.Read")).json()["error"] == "invalid_scope"
    )
    answer = raw.post(token_url(emu), data=token_form(emu, grant_type="password"))
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


def test_discovery_documents(emu, raw):
    tenant = emu.connection["tenant_id"]
    for path in (
        f"/{tenant}/v2.0/.well-known/openid-configuration",
        f"/{tenant}/.well-known/openid-configuration",
    ):
        doc = raw.get(emu.base_url + path).json()
        assert doc["token_endpoint"] == f"{emu.base_url}/{tenant}/oauth2/v2.0/token"
        assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    answer = raw.get(f"{emu.base_url}/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert answer.status_code == 400 and answer.json()["error_codes"] == [90002]


def test_msal_client_credentials_and_cache(emu):
    conn = emu.connection
    app = msal.ConfidentialClientApplication(
        conn["client_id"],
        client_credential=conn["client_secret"],
        authority=conn["authority"],
        instance_discovery=False,
        http_client=make_session(conn["ca_file"]),
    )
    first = app.acquire_token_for_client(scopes=[f"{conn['org_url']}/.default"])
    assert first["token_source"] == "identity_provider", first
    second = app.acquire_token_for_client(scopes=[f"{conn['org_url']}/.default"])
    assert second["token_source"] == "cache"


def test_msal_auth_code_round_trip(emu):
    conn = emu.connection
    browser = make_session(conn["ca_file"])
    app = msal.ConfidentialClientApplication(
        conn["signin_client_id"],
        client_credential=conn["signin_client_secret"],
        authority=conn["authority"],
        instance_discovery=False,
        http_client=make_session(conn["ca_file"]),
    )
    redirect = "http://localhost:8000/auth/redirect"
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=redirect)
    page = browser.get(flow["auth_uri"])
    assert page.status_code == 200 and "Email" in page.text and "Sign in" in page.text
    assert "author@contoso.example" in page.text
    import re

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    import html

    fields = {k: html.unescape(v) for k, v in fields.items()}
    fields["email"] = "admin@contoso.example"
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    answer = browser.post(action, data=fields, allow_redirects=False)
    assert answer.status_code == 302
    from urllib.parse import parse_qs, urlsplit

    location = answer.headers["Location"]
    assert location.startswith(redirect)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert "access_token" in result, result
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == "admin@contoso.example"
    assert claims["roles"] == ["Portal.Admin"] and claims["tid"] == conn["tenant_id"] and claims["oid"]
    logout = browser.get(
        f"{conn['authority']}/oauth2/v2.0/logout",
        params={"post_logout_redirect_uri": "http://localhost:8000/"},
        allow_redirects=False,
    )
    assert logout.status_code == 302 and logout.headers["Location"] == "http://localhost:8000/"


def test_auth_code_rejects_wrong_verifier(emu):
    conn = emu.connection
    browser = make_session(conn["ca_file"])
    auth = f"{conn['authority']}/oauth2/v2.0/authorize"
    redirect = "http://localhost:8000/cb"
    answer = browser.post(
        auth,
        data={
            "client_id": conn["signin_client_id"],
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "code_challenge": "abc",
            "code_challenge_method": "S256",
            "email": "author@contoso.example",
        },
        allow_redirects=False,
    )
    from urllib.parse import parse_qs, urlsplit

    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    bad = browser.post(
        token_url(emu),
        data={
            "grant_type": "authorization_code",
            "client_id": conn["signin_client_id"],
            "client_secret": conn["signin_client_secret"],
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": "wrong",
        },
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
