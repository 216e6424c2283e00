"""Import from environment and the drift guard, end to end in the browser against the emulator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.services.environments import register_emulator
from publishing import mapping
from tests.browser.conftest import screenshot, sign_in
from tests.emulator_support import unique_environment_pk
from tests.factories import publisher
from tests.publishing.helpers import FULL, approve_revision, approved_channel
from tests.publishing.org import org_widget
from wizard.models import Channel

pytestmark = pytest.mark.django_db(transaction=True)


def _environment(emulator):
    return unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )


def test_a_publisher_imports_a_widget_from_the_environment(page, emulator, knobs):
    environment = _environment(emulator)
    knobs.clear()
    org_widget(knobs.client, "Browser import widget")
    publisher(username="publisher")
    sign_in(page, "publisher")

    page.goto("/channels/")
    page.get_by_role("link", name="Import from environment").click()
    page.get_by_label("Environment").select_option(str(environment.pk))
    page.get_by_role("button", name="List chat widgets").click()
    row = page.get_by_role("row").filter(has_text="Browser import widget")
    expect(row).to_contain_text("Existing chat workstream")
    expect(row).to_contain_text("Korean")
    page.get_by_label("Import Browser import widget").check()
    page.get_by_role("button", name="Import selected").click()
    expect(page.locator(".import-results")).to_contain_text("Browser import widget")
    screenshot(page, "import-from-environment")

    page.locator(".import-results").get_by_role("link", name="Browser import widget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser import widget")
    expect(page.get_by_text("Published", exact=True).first).to_be_visible()
    page.get_by_text("Kept from the environment").click()
    expect(page.locator(".kept-values")).to_contain_text("left as they are")
    assert Channel.objects.filter(name="Browser import widget").count() == 1


def _published_then_retitled_in_the_org(page, emulator, knobs):
    """A channel a publisher published through the page, whose title someone then changed in the org."""
    environment = _environment(emulator)
    knobs.clear()
    channel = approved_channel(environment, **FULL)
    publisher(username="publisher")
    sign_in(page, "publisher")
    page.goto(f"/channels/{channel.pk}/")
    page.get_by_role("button", name="Publish revision 1 to Local Dataverse (emulator)").click()
    expect(page.locator("#publish-panel").get_by_text("Published", exact=True)).to_be_visible()
    wid = mapping.widget_id(channel.pk, environment.pk)
    knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed in the admin center"})
    return channel, wid


def test_a_publish_stops_on_drift_and_the_publisher_keeps_the_live_title(page, emulator, knobs):
    channel, wid = _published_then_retitled_in_the_org(page, emulator, knobs)
    channel.refresh_from_db()
    approve_revision(
        channel, {**channel.data, "appearance": {**channel.data["appearance"], "subtitle": "New"}}
    )

    page.goto(f"/channels/{channel.pk}/")
    page.get_by_role("button", name="Publish revision 2 to Local Dataverse (emulator)").click()
    expect(page.locator(".publish-failure")).to_contain_text("Drift check")
    page.reload()
    row = page.locator('tr[data-field="appearance.title"]')
    expect(row).to_contain_text("Chat with Contoso")
    expect(row.locator(".drift-live")).to_have_text("Changed in the admin center")
    screenshot(page, "drift-three-way")
    page.goto("/channels/")
    expect(page.locator(".drift-badge")).to_have_count(1)

    page.goto(f"/channels/{channel.pk}/")
    row = page.locator('tr[data-field="appearance.title"]')
    row.get_by_label("Keep live value").check()
    page.get_by_role("button", name="Apply choices").click()
    expect(page.get_by_text("The live values are in the draft now")).to_be_visible()
    channel.refresh_from_db()
    assert channel.data["appearance"]["title"] == "Changed in the admin center"
    assert (
        knobs.client.retrieve("msdyn_livechatconfigs", wid)["msdyn_widgettitle"]
        == "Changed in the admin center"
    )


def test_overwriting_needs_a_reason(page, emulator, knobs):
    channel, wid = _published_then_retitled_in_the_org(page, emulator, knobs)

    page.goto(f"/channels/{channel.pk}/")
    page.get_by_role("button", name="Check for drift").click()
    expect(page.get_by_text("Someone changed this channel in the environment")).to_be_visible()
    page.get_by_role("button", name="Overwrite all").click()
    expect(page.get_by_text("Give the reason for overwriting")).to_be_visible()
    page.get_by_label("Reason for overwriting").fill("The brand title is set by marketing")
    page.get_by_role("button", name="Overwrite all").click()
    expect(page.get_by_text("Publishing over the changed values")).to_be_visible()
    assert knobs.client.retrieve("msdyn_livechatconfigs", wid)["msdyn_widgettitle"] == "Chat with Contoso"
