"""A publisher publishes an approved channel to the local emulator from the channel page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.services.environments import register_emulator
from publishing import mapping
from tests.browser.conftest import screenshot, sign_in
from tests.emulator_support import unique_environment_pk
from tests.factories import publisher
from tests.publishing.helpers import FULL, approved_channel

pytestmark = pytest.mark.django_db(transaction=True)


def test_publisher_publishes_an_approved_channel_and_sees_published(page, emulator, knobs):  # noqa: F811
    environment = unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )
    channel = approved_channel(environment, **FULL)
    publisher(username="publisher")
    sign_in(page, "publisher")

    page.goto(f"/channels/{channel.pk}/")
    page.get_by_role("button", name="Publish revision 1 to Local Dataverse (emulator)").click()
    panel = page.locator("#publish-panel")
    expect(panel.get_by_text("Published", exact=True)).to_be_visible()
    app_id = panel.locator(".widget-app-id").inner_text()
    screenshot(page, "publish-succeeded")

    widget = knobs.client.retrieve("msdyn_livechatconfigs", mapping.widget_id(channel.pk, environment.pk))
    assert widget["msdyn_widgetappid"] == app_id
    assert widget["msdyn_widgettitle"] == "Chat with Contoso"
    expect(page.get_by_role("button", name="Publish revision 1 to Local Dataverse (emulator)")).to_have_count(
        0
    )
