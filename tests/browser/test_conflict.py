"""Two people save the same step: the second sees both versions and must choose, with JavaScript off too."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import field, sign_in
from tests.factories import ChannelFactory, author
from wizard.models import Channel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_conflict_keeps_what_was_typed_and_saving_needs_a_choice(new_context, javascript):
    me, other = author(username="author"), author(username="colleague")
    channel = ChannelFactory(owner=me)
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/details/")
    field(page, "Name").fill("My name")

    # Meanwhile the colleague saves the same step.
    fresh = Channel.objects.get(pk=channel.pk)
    data = {**fresh.data, "details": {**fresh.data["details"], "name": "Their name"}}
    Channel.objects.filter(pk=channel.pk).update(data=data, version=fresh.version + 1, last_editor=other)

    page.get_by_role("button", name="Save draft").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("the last save was by colleague")
    expect(conflict.get_by_role("cell", name="Their name")).to_be_visible()
    expect(conflict.get_by_role("cell", name="My name")).to_be_visible()
    expect(field(page, "Name")).to_have_value("My name")

    # Plain Save on the conflict page does not overwrite their version.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#conflict")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).data["details"]["name"] == "Their name"

    page.get_by_role("button", name="Keep mine").click()
    expect(page.locator("#conflict")).to_have_count(0)
    expect(field(page, "Name")).to_have_value("My name")
    assert Channel.objects.get(pk=channel.pk).data["details"]["name"] == "My name"
