"""Pasted text past a limit outside the wizard is kept whole and said too long, beside the field, as
typed and when the server refuses it: the skip-review reason, an environment field, the embed options."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal import permissions
from publishing.models import Rollback
from tests import factories
from tests.browser.conftest import field, sign_in
from tests.publishing.test_rollback_schedule import _twice_published
from wizard.models import Revision

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pasted_skip_review_reason_past_its_limit_is_kept_whole(page):
    channel = _twice_published(factories.EnvironmentFactory())
    factories.UserFactory(username="admin", groups=[permissions.ADMINISTRATORS, permissions.PUBLISHERS])
    sign_in(page, "admin")
    page.goto(f"/channels/{channel.pk}/")
    form = page.locator(".rollback-form").filter(
        has=page.get_by_role("button", name="Roll back to revision 1")
    )
    form.get_by_label("Skip review (administrators only)").check()
    reason = form.get_by_label("Reason for skipping review")
    pasted = "The new title confused customers. " + "x" * 2000
    reason.focus()
    page.keyboard.insert_text(pasted)  # as a paste arrives: a maxlength would cut it short
    expect(reason).to_have_value(pasted)
    message = form.locator("[data-client-error]")
    expect(message).to_have_text(f"Shorten this text to at most 2000 characters (it has {len(pasted)}).")
    expect(reason).to_have_attribute("aria-invalid", "true")
    # Shortened, the message goes.
    reason.fill("The new title confused customers.")
    expect(message).to_have_count(0)
    # Sent past the limit, the server refuses it and shows it whole with the same words beside it.
    reason.fill("")
    reason.focus()
    page.keyboard.insert_text(pasted)
    form.get_by_role("button", name="Roll back to revision 1").click()
    form = page.locator(".rollback-form").filter(
        has=page.get_by_role("button", name="Roll back to revision 1")
    )
    reason = form.get_by_label("Reason for skipping review")
    expect(reason).to_have_value(pasted)
    expect(reason).to_be_focused()
    expect(form.locator(".invalid-feedback")).to_have_text(
        f"Shorten this text to at most 2000 characters (it has {len(pasted)})."
    )
    expect(form.get_by_label("Skip review (administrators only)")).to_be_checked()
    assert not Rollback.objects.exists()


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


def test_refused_embed_options_keep_what_was_typed_each_with_its_message(page):
    author = factories.author(username="author")
    channel = factories.ChannelFactory(owner=author, environment=factories.EnvironmentFactory())
    revision = Revision.objects.create(
        channel=channel, number=1, data=channel.data, content_hash="x", created_by=author
    )
    factories.live_in_its_environment(
        revision,
        author,
        widget_app_id="0f3b1c2d",
        widget_snippet='<script v2 id="Microsoft_Omnichannel_LCWidget" src="https://cdn.example/x.js"></script>',
    )
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/")
    colour = page.get_by_label("Colour override")
    font = page.get_by_label("Font family override")
    colour.fill("red")
    font.fill('Segoe UI; "Comic Sans"')
    page.get_by_role("button", name="Update the code").click()
    expect(colour).to_have_value("red")
    expect(font).to_have_value('Segoe UI; "Comic Sans"')
    expect(colour).to_have_attribute("aria-invalid", "true")
    expect(font).to_have_attribute("aria-invalid", "true")
    expect(colour).to_be_focused()
    expect(page.locator("#snippet-color_override_error")).to_have_text(
        "Enter the colour override as #RRGGBB, for example #0B5CAB."
    )
    expect(page.locator("#snippet-font_family_override_error")).to_contain_text(
        "Enter font names separated by commas"
    )
    expect(page.locator("#embed-snippet-text")).not_to_contain_text("Comic Sans")
    # A pasted font list past its limit is said too long and kept whole.
    pasted = "Segoe UI, " * 25
    font.fill("")
    font.focus()
    page.keyboard.insert_text(pasted)
    expect(font).to_have_value(pasted)
    expect(page.locator("[data-field-box] [data-client-error]")).to_have_text(
        f"Shorten this text to at most 200 characters (it has {len(pasted)})."
    )
    expect(page.locator("#snippet-font_family_override_error")).to_have_count(0)
