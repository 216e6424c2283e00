"""Author → reviewer → request changes → resubmit → approve → publish, by visible labels."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_review_loop(new_context, emulator_environment, knobs):
    author = factories.author(username="author")
    factories.reviewer(username="reviewer")
    factories.publisher(username="publisher")
    data = factories.complete_data(details={"environment": str(emulator_environment.pk)})
    channel = factories.ChannelFactory(
        owner=author, editor_ids=[author.pk], data=data, environment=emulator_environment
    )

    author_page = new_context().new_page()
    sign_in(author_page, "author")
    author_page.goto(f"/channels/{channel.pk}/steps/review/")
    author_page.get_by_label("Comment for the reviewer (optional)").fill("First version")
    author_page.get_by_role("button", name="Submit for review").click()
    author_page.get_by_text("was submitted for review").wait_for()

    reviewer_page = new_context().new_page()
    sign_in(reviewer_page, "reviewer")
    reviewer_page.get_by_role("link", name=channel.display_name).first.click()
    reviewer_page.get_by_role("heading", name="Review revision 1", level=1).wait_for()
    assert reviewer_page.get_by_role("button", name="Approve").is_visible()
    reviewer_page.get_by_role("link", name="Show unchanged fields").click()
    reviewer_page.get_by_role("link", name="Hide unchanged fields").wait_for()
    reviewer_page.get_by_label("Comment", exact=True).fill("Make the title <b>friendlier</b>")
    reviewer_page.get_by_label("The comment is about").select_option(label="Chat widget")
    reviewer_page.get_by_role("button", name="Request changes").click()
    reviewer_page.get_by_text("was sent back to its author").wait_for()

    author_page.goto(f"/channels/{channel.pk}/steps/appearance/")
    author_page.get_by_text("Make the title <b>friendlier</b>").wait_for()
    author_page.get_by_role("textbox", name=re.compile(r"^\s*Title\W*$")).fill("Hi! Chat with Contoso")
    author_page.get_by_role("button", name="Save draft").click()
    author_page.goto(f"/channels/{channel.pk}/steps/review/")
    author_page.get_by_role("button", name="Submit for review").click()
    author_page.get_by_text("Revision 2 was submitted for review").wait_for()

    reviewer_page.goto(f"/channels/{channel.pk}/review/")
    reviewer_page.get_by_role("heading", name="Review revision 2", level=1).wait_for()
    reviewer_page.get_by_role("cell", name="Hi! Chat with Contoso").wait_for()
    screenshot(reviewer_page, "review-revision-2")
    reviewer_page.get_by_role("button", name="Approve").click()
    reviewer_page.get_by_text("Revision 2 was approved").wait_for()
    assert reviewer_page.get_by_role("cell", name="Approved").first.is_visible()

    author_page.goto(f"/channels/{channel.pk}/review/")
    assert author_page.get_by_role("button", name="Approve").count() == 0

    publisher_page = new_context().new_page()
    sign_in(publisher_page, "publisher")
    publisher_page.get_by_role("link", name=channel.display_name).first.click()
    publisher_page.get_by_role("button", name="Publish revision 2 to Local Dataverse (emulator)").click()
    publisher_page.locator("#publish-panel").get_by_text("Published", exact=True).wait_for()
    publisher_page.reload()
    publisher_page.get_by_role("button", name="Copy").wait_for()
    snippet = publisher_page.get_by_label("Embed code").input_value()
    assert 'id="Microsoft_Omnichannel_LCWidget"' in snippet and "data-app-id=" in snippet
    screenshot(publisher_page, "review-loop-published")
    rows = list(
        knobs.client.query(
            "msdyn_livechatconfigs",
            select=["msdyn_widgettitle"],
            filter="msdyn_widgettitle eq 'Hi! Chat with Contoso'",
        )
    )
    assert len(rows) == 1


def test_switching_the_comparison_keeps_the_comment_being_written(new_context):
    from wizard.models import ChannelStatus
    from wizard.services import workflow

    author = factories.author(username="author")
    reviewer = factories.reviewer(username="reviewer")
    channel = factories.ChannelFactory(owner=author, editor_ids=[author.pk])
    first = workflow.submit(channel, author)
    channel.refresh_from_db()
    workflow.request_changes(
        channel, reviewer, revision_id=first.pk, shown_hash=first.content_hash, comment="Change the title"
    )
    channel.refresh_from_db()
    channel.data["appearance"]["title"] = "Second title"
    channel.status = ChannelStatus.DRAFT
    channel.save()
    workflow.submit(channel, author)

    page = new_context().new_page()
    sign_in(page, "reviewer")
    page.goto(f"/channels/{channel.pk}/review/")
    page.evaluate("() => { window.__samePage = true; }")
    page.get_by_role("heading", name="Changes since revision 1 was sent back").wait_for()
    page.get_by_label("Comment", exact=True).fill("Half-written remark")
    page.get_by_label("The comment is about").select_option(label="Chat widget")
    page.get_by_role("link", name="Nothing (never published)").click()
    page.get_by_role("heading", name="Changes (never published before)").wait_for()
    page.get_by_role("heading", name="Never published", level=3).wait_for()  # the previews follow
    assert page.url.endswith("?against=published")
    assert page.evaluate("() => window.__samePage === true")
    assert page.get_by_label("Comment", exact=True).input_value() == "Half-written remark"
    assert page.get_by_label("The comment is about").input_value() == "appearance"
    page.get_by_role("link", name="Revision 1, sent back").click()
    page.get_by_role("heading", name="Changes since revision 1 was sent back").wait_for()
    assert page.get_by_label("Comment", exact=True).input_value() == "Half-written remark"


def test_a_comment_past_its_limit_is_said_too_long_while_typing_and_kept_whole(new_context):
    from wizard.services import workflow

    author = factories.author(username="author")
    factories.reviewer(username="reviewer")
    channel = factories.ChannelFactory(owner=author, editor_ids=[author.pk], data=factories.complete_data())
    # Emoji count as one character each, as the portal stores a comment: 1,999 of them fit.
    fits = "😀" * 1999
    too_long = "Please shorten the title. " + "x" * 2000

    page = new_context().new_page()
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/review/")
    box = page.get_by_label("Comment for the reviewer (optional)")
    box.focus()
    page.keyboard.insert_text(fits)
    expect_no_message = page.locator("#id_comment ~ [data-client-error]")
    assert expect_no_message.count() == 0
    # A line break is sent as two characters, as the server counts it: 2,000 typed are 2,001 sent.
    box.fill("a" * 1000 + "\n" + "b" * 999)
    page.locator("#id_comment ~ [data-client-error]").wait_for()
    assert "(it has 2001)" in page.locator("#id_comment ~ [data-client-error]").inner_text()
    box.fill("")
    box.focus()
    page.keyboard.insert_text(too_long)
    message = page.locator("[data-client-error]")
    message.wait_for()
    assert f"Shorten the comment to at most 2000 characters (it has {len(too_long)})." in message.inner_text()
    assert box.input_value() == too_long  # nothing cut
    box.fill("First version")
    page.locator("[data-client-error]").wait_for(state="detached")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("was submitted for review").wait_for()

    channel.refresh_from_db()
    revision = workflow.in_review_revision(channel)
    reviewer_page = new_context().new_page()
    sign_in(reviewer_page, "reviewer")
    reviewer_page.goto(f"/channels/{channel.pk}/review/")
    assert revision is not None
    comment = reviewer_page.get_by_label("Comment", exact=True)
    comment.focus()
    reviewer_page.keyboard.insert_text(too_long)
    reviewer_page.locator("#review-form [data-client-error]").wait_for()
    assert "at most 2000 characters" in reviewer_page.locator("#review-form [data-client-error]").inner_text()
    assert comment.input_value() == too_long
