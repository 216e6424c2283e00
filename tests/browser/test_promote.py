"""A publisher promotes a channel from the emulator org to the test org, then compares the environments."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.services.environments import register_emulator
from publishing import mapping
from publishing.services import publish
from tests.browser.conftest import screenshot, sign_in
from tests.emulator_support import unique_environment_pk
from tests.factories import publisher
from tests.publishing.helpers import FULL, approved_channel
from wizard.models import PublishAttempt

pytestmark = pytest.mark.django_db(transaction=True)


def test_publisher_promotes_with_a_binding_pick_and_compares(page, emulator, knobs, test_org, test_knobs):
    source = unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )
    target = unique_environment_pk(
        register_emulator(dict(test_org.connection), name="Local Dataverse (test)")
    )
    channel = approved_channel(source, **FULL)
    user = publisher(username="publisher")
    assert publish.request_publish(channel, user)[0].state == "succeeded"
    sign_in(page, "publisher")

    page.goto(f"/channels/{channel.pk}/")
    page.get_by_role("link", name="Promote to…").click()
    page.get_by_label("Promote to", exact=True).select_option(label="Local Dataverse (test)")
    page.get_by_role("button", name="Check bindings").click()
    bindings = page.locator(".promote-bindings")
    expect(bindings.get_by_text("same name")).to_have_count(1)  # Business hours
    expect(bindings.get_by_text("same locale")).to_have_count(1)  # Korean
    picker = page.get_by_label("Row for Authentication settings “Contoso portal sign-in”")
    expect(picker).to_be_visible()

    # Without a pick the promotion is blocked and nothing is written.
    seq = test_knobs.last_seq()
    page.get_by_role("button", name="Promote to Local Dataverse (test)").click()
    expect(page.locator("#promotion-blocked")).to_contain_text("Contoso portal sign-in")
    assert all(
        str(e["method"]).upper() == "GET" for e in test_knobs.log(seq) if "token" not in str(e["path"])
    )
    screenshot(page, "promote-blocked")

    page.get_by_label("Row for Authentication settings “Contoso portal sign-in”").select_option(
        label="Contoso test portal sign-in"
    )
    page.get_by_role("button", name="Promote to Local Dataverse (test)").click()
    page.wait_for_url(f"**/channels/{channel.pk}/")
    attempt = PublishAttempt.objects.filter(channel=channel, environment=target).latest("pk")
    expect(page.locator("#publish-panel")).to_contain_text("Local Dataverse (test)")
    assert attempt.state == "succeeded", attempt.error_message
    widget = test_knobs.client.retrieve("msdyn_livechatconfigs", mapping.widget_id(channel.pk, target.pk))
    assert widget["msdyn_widgettitle"] == "Chat with Contoso"

    # The pick is remembered: the next time the binding shows as a remembered choice.
    page.goto(f"/channels/{channel.pk}/promote/?environment={target.pk}")
    expect(page.locator(".promote-bindings").get_by_text("remembered choice")).to_be_visible()

    page.goto("/channels/")
    page.get_by_role("link", name="Compare environments").click()
    row = page.locator(".compare-live tr", has_text=channel.display_name)
    expect(row.get_by_text("Revision 1")).to_have_count(2)
    page.get_by_label("Channel", exact=True).select_option(label=channel.display_name)
    page.get_by_label("From environment").select_option(label="Local Dataverse (emulator)")
    page.get_by_label("To environment").select_option(label="Local Dataverse (test)")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator("#diff")).to_contain_text("0 fields changed")
    screenshot(page, "compare-environments")
