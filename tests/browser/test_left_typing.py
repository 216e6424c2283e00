"""Typing not saved when the page goes (the browser's Back and Forward) is filled in again."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import field, sign_in
from tests.factories import ChannelFactory, author
from wizard.models import Channel

pytestmark = pytest.mark.django_db(transaction=True)


def open_step(context, slug="appearance", **channel_fields):
    """A new channel of the author (``channel_fields``: its factory's arguments), signed in as the author
    and open at ``slug``; the browser's "Leave site?" is answered Leave."""
    channel = ChannelFactory(owner=author(username="author"), **channel_fields)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/{slug}/")
    return channel, page


def test_typing_left_with_back_comes_back_with_forward_marked_not_saved(new_context):
    channel, page = open_step(new_context(), "workstream")
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(f"**/channels/{channel.pk}/steps/appearance/")
    field(page, "Title").fill("Typed, then Back")

    page.go_back()
    page.wait_for_url(f"**/channels/{channel.pk}/steps/workstream/")
    expect(page.locator("h1")).to_have_text("Workstream")
    page.go_forward()
    page.wait_for_url(f"**/channels/{channel.pk}/steps/appearance/")

    expect(field(page, "Title")).to_have_value("Typed, then Back")
    expect(page.get_by_role("status").filter(has_text="It is not saved yet")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).data["appearance"]["title"] != "Typed, then Back"
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).data["appearance"]["title"] == "Typed, then Back"
    # Saved: shown again, the step has nothing to fill in.
    page.reload()
    expect(field(page, "Title")).to_have_value("Typed, then Back")
    expect(page.get_by_text("It is not saved yet")).to_have_count(0)


def test_what_was_filled_in_again_can_be_discarded(new_context):
    channel, page = open_step(new_context())
    saved = field(page, "Title").input_value()
    field(page, "Title").fill("Not wanted")
    page.reload()
    expect(field(page, "Title")).to_have_value("Not wanted")
    page.get_by_role("button", name="Discard it").click()
    expect(page.get_by_text("It is not saved yet")).to_have_count(0)
    expect(field(page, "Title")).to_have_value(saved)


def test_typing_kept_while_someone_else_saved_is_merged_with_their_save(new_context):
    channel, page = open_step(new_context())
    field(page, "Title").fill("Mine, typed before")
    page.goto("/channels/")  # left without saving
    channel.refresh_from_db()
    factories.edit_appearance(channel, channel.owner, subtitle="Theirs, saved since")

    page.goto(f"/channels/{channel.pk}/steps/appearance/")
    expect(field(page, "Title")).to_have_value("Mine, typed before")
    expect(page.get_by_role("status").filter(has_text="It is not saved yet")).to_be_visible()
    # Filled in with what it was typed on: saving merges the two, as a stale save does.
    expect(field(page, "Subtitle")).not_to_have_value("Theirs, saved since")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    saved = Channel.objects.get(pk=channel.pk).data["appearance"]
    assert saved["title"] == "Mine, typed before" and saved["subtitle"] == "Theirs, saved since"


def test_typing_kept_that_matches_the_saved_step_is_not_offered_again(new_context):
    channel, page = open_step(new_context())
    saved = field(page, "Title").input_value()
    field(page, "Title").fill("Changed")
    field(page, "Title").fill(saved)  # typed, then typed back
    page.reload()
    expect(field(page, "Title")).to_have_value(saved)
    expect(page.get_by_text("It is not saved yet")).to_have_count(0)


def _domain_inputs(page):
    return page.locator('input[name^="domains-"][name$="-domain"]')


def test_rows_added_or_removed_before_leaving_come_back_as_they_were(new_context):
    from tests.factories import complete_data

    data = complete_data(
        appearance={
            "domains_only": True,
            "domains": [{"domain": "a.contoso.com"}, {"domain": "b.contoso.com"}],
        }
    )
    channel, page = open_step(new_context(), data=data)
    page.get_by_role("button", name="Remove Domain 1").click()
    page.reload()
    expect(_domain_inputs(page)).to_have_count(1)
    expect(_domain_inputs(page)).to_have_value("b.contoso.com")
    page.get_by_role("button", name="Add domain").click()
    _domain_inputs(page).nth(1).fill("shop.contoso.com")
    page.reload()
    expect(_domain_inputs(page)).to_have_count(2)
    expect(_domain_inputs(page).nth(1)).to_have_value("shop.contoso.com")
    expect(page.get_by_role("status").filter(has_text="It is not saved yet")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    saved = Channel.objects.get(pk=channel.pk).data["appearance"]["domains"]
    assert [row["domain"] for row in saved] == ["b.contoso.com", "shop.contoso.com"]


def test_typing_kept_on_a_tab_is_never_given_to_someone_else_who_signs_in_there(new_context):
    from tests.factories import administrator

    administrator(username="admin")
    context = new_context()
    channel, page = open_step(context)
    saved = field(page, "Title").input_value()
    field(page, "Title").fill("The author's, not saved")
    # Signed out by the server (another tab, the idle time), not with this page's button.
    token = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")
    context.request.post("/accounts/logout/", headers={"X-CSRFToken": token})
    sign_in(page, "admin")
    page.goto(f"/channels/{channel.pk}/steps/appearance/")
    expect(field(page, "Title")).to_have_value(saved)
    expect(page.get_by_text("It is not saved yet")).to_have_count(0)


def test_signing_out_with_the_menu_button_forgets_what_was_kept(new_context):
    _channel, page = open_step(new_context())
    field(page, "Title").fill("Left on a shared computer")
    page.goto("/channels/")
    assert page.evaluate("Object.keys(sessionStorage).some(k => k.startsWith('studio-unsaved:'))")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    assert not page.evaluate("Object.keys(sessionStorage).some(k => k.startsWith('studio-unsaved:'))")
