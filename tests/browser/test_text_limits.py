"""Pasted text past a limit outside the wizard is kept whole and said too long, beside the field, as
typed and when the server refuses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import field, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pasted_environment_name_past_its_limit_is_kept_whole(page):
    factories.administrator(username="admin")
    sign_in(page, "admin")
    page.goto("/environments/new/")
    name = field(page, "Name")
    pasted = "Contoso production (" + "West Europe, " * 8 + ")"
    name.focus()
    page.keyboard.insert_text(pasted)
    expect(name).to_have_value(pasted)
    message = page.locator("#div_id_name [data-client-error]")
    expect(message).to_have_text(f"Shorten this text to at most 100 characters (it has {len(pasted)}).")
    name.fill("Contoso production")
    expect(message).to_have_count(0)
    name.fill("")
    name.focus()
    page.keyboard.insert_text(pasted)
    field(page, "Client secret").fill("typed-secret")
    page.get_by_role("button", name="Test and add environment").click()
    expect(page.locator("#div_id_name .invalid-feedback")).to_have_text(
        f"Shorten this text to at most 100 characters (it has {len(pasted)})."
    )
    expect(field(page, "Name")).to_have_value(pasted)
