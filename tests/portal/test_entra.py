"""Microsoft sign-in: reachable signed out, clear errors, users mapped by object id."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import EntraIdentity
from portal.services import entra

pytestmark = pytest.mark.django_db


def test_not_configured_is_404(client, settings):
    settings.ENTRA_CLIENT_ID = ""
    assert client.get(reverse("entra:login")).status_code == 404


def test_login_redirects_to_authority_with_pkce(client, entra_settings, emulator):
    response = client.get(reverse("entra:login"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(emulator.base_url) and "code_challenge=" in location
    assert "code_challenge_method=S256" in location


def test_cancelled_and_state_mismatch_are_explained(client, entra_settings):
    client.get(reverse("entra:login"))
    response = client.get(reverse("entra:callback"), {"error": "access_denied"}, follow=True)
    assert "Sign-in was cancelled." in response.content.decode()
    client.get(reverse("entra:login"))
    response = client.get(reverse("entra:callback"), {"code": "x", "state": "forged"}, follow=True)
    assert "state mismatch" in response.content.decode()
    response = client.get(reverse("entra:callback"), {"code": "x", "state": "forged"}, follow=True)
    assert "expired" in response.content.decode()


def test_user_mapping_by_oid_creates_without_groups_unless_mapped(entra_settings):
    plain = entra.user_for_claims({"oid": "oid-1", "name": "Alex Agent", "preferred_username": "agent@x"})
    assert plain.groups.count() == 0 and not plain.has_usable_password()
    again = entra.user_for_claims({"oid": "oid-1", "name": "Renamed", "preferred_username": "other@x"})
    assert again.pk == plain.pk
    admin = entra.user_for_claims(
        {"oid": "oid-2", "preferred_username": "agent@x", "roles": ["Portal.Admin"]}
    )
    assert admin.username != plain.username
    assert list(admin.groups.values_list("name", flat=True)) == ["Portal administrators"]
    assert EntraIdentity.objects.count() == 2


def test_sign_in_page_offers_microsoft_only_when_fully_configured(client, settings):
    settings.ENTRA_CLIENT_ID = "00000000-0000-0000-0000-0000000000c1"
    settings.ENTRA_TENANT_ID = "00000000-0000-0000-0000-0000000000c2"
    settings.ENTRA_CLIENT_SECRET = ""
    assert "Sign in with Microsoft" not in client.get(reverse("login")).content.decode()
    settings.ENTRA_CLIENT_SECRET = "configured"  # noqa: S105
    assert "Sign in with Microsoft" in client.get(reverse("login")).content.decode()
