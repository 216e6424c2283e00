"""'Sign in with Microsoft' end to end: the portal, the emulator's sign-in page, and back."""

from __future__ import annotations

import pytest

from portal.models import EntraIdentity
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_with_microsoft_round_trip(new_context, entra_settings):
    # The emulator's sign-in page is served under its own local CA, which the test browser doesn't know.
    page = new_context(ignore_https_errors=True).new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Microsoft").click()
    page.get_by_label("Email").select_option("admin@contoso.example")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url and "oauth2" not in url)

    assert page.get_by_role("navigation", name="Main").get_by_text("Adrian Admin").is_visible()
    screenshot(page, "entra-signed-in")
    identity = EntraIdentity.objects.select_related("user").get()
    assert identity.user.groups.filter(name="Portal administrators").exists()
    # Mapped to the same user by object id on the next sign-in.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in with Microsoft").click()
    page.get_by_label("Email").select_option("admin@contoso.example")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url and "oauth2" not in url)
    assert EntraIdentity.objects.count() == 1
