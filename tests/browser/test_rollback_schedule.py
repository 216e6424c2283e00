"""End to end: roll back to an earlier published revision (an administrator skips review with a reason), then
Publish at… in the environment's time zone, shown on the channel and home pages until it runs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal import permissions
from portal.services.environments import register_emulator
from publishing import mapping
from publishing.models import ScheduledPublish
from tests.browser.conftest import screenshot, sign_in
from tests.emulator_support import unique_environment_pk
from tests.factories import UserFactory
from tests.publishing.helpers import FULL, approve_revision, approved_channel

pytestmark = pytest.mark.django_db(transaction=True)


def test_roll_back_with_skipped_review_then_publish_at(page, emulator, knobs):  # noqa: F811
    environment = unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )
    environment.time_zone = "Asia/Seoul"
    environment.save()
    channel = approved_channel(environment, **FULL)
    UserFactory(username="admin", groups=[permissions.ADMINISTRATORS, permissions.PUBLISHERS])
    sign_in(page, "admin")
    publish_button = page.get_by_role(
        "button", name=re.compile(r"^Publish revision \d+ to Local Dataverse \(emulator\)")
    )

    # Revision 1 ("Chat with Contoso") is published, then revision 2 ("Second title").
    page.goto(f"/channels/{channel.pk}/")
    publish_button.click()
    expect(page.locator("#publish-panel").get_by_text("Published", exact=True)).to_be_visible()
    data = channel.revisions.get(number=1).data
    approve_revision(channel, {**data, "appearance": {**data["appearance"], "title": "Second title"}})
    page.goto(f"/channels/{channel.pk}/")
    publish_button.click()
    expect(page.locator("#publish-panel .publish-result")).to_contain_text(
        "Revision 2 to Local Dataverse (emulator)"
    )
    widget_id = mapping.widget_id(channel.pk, environment.pk)
    assert knobs.client.retrieve("msdyn_livechatconfigs", widget_id)["msdyn_widgettitle"] == "Second title"

    # Roll back to revision 1, skipping review with a reason (shown escaped on the page).
    page.goto(f"/channels/{channel.pk}/")
    form = page.locator(".rollback-form").filter(
        has=page.get_by_role("button", name="Roll back to revision 1")
    )
    form.get_by_label("Skip review (administrators only)").check()
    form.get_by_label("Reason for skipping review").fill("The <b>new</b> title confused customers")
    form.get_by_role("button", name="Roll back to revision 1").click()
    expect(
        page.get_by_text("Revision 3 holds revision 1 again and is approved: review skipped.")
    ).to_be_visible()
    expect(page.locator(".review-skip-reason")).to_have_text("The <b>new</b> title confused customers")

    # Publish at… a time in the past is refused; two hours ahead in Seoul time is scheduled.
    panel = page.locator("#schedule-panel")
    expect(panel.get_by_text("Publish at (time zone Asia/Seoul)")).to_be_visible()
    seoul = timezone.now() + timedelta(hours=9)
    panel.get_by_label("Publish at (time zone Asia/Seoul)").fill(
        (seoul - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    panel.get_by_role("button", name="Publish at…").click()
    expect(page.get_by_text("That time is in the past. Choose a time in the future.")).to_be_visible()
    when = (seoul + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    panel = page.locator("#schedule-panel")
    panel.get_by_label("Publish at (time zone Asia/Seoul)").fill(when)
    panel.get_by_role("button", name="Publish at…").click()
    expect(page.locator("#schedule-panel .scheduled-publish")).to_contain_text(
        f"Revision 3 will be published to Local Dataverse (emulator) at {when.replace('T', ' ')} (Asia/Seoul)"
    )
    screenshot(page, "publish-at-scheduled")
    page.goto("/")
    expect(page.locator(".scheduled-publish")).to_contain_text("revision 3 to Local Dataverse (emulator)")

    # When it is due, it runs (here the immediate task backend: the next page starts it) and leaves the pages.
    ScheduledPublish.objects.update(run_at=timezone.now() - timedelta(seconds=1))
    page.goto("/")
    expect(page.locator(".scheduled-publish")).to_have_count(0)
    page.goto(f"/channels/{channel.pk}/")
    expect(page.locator("#publish-panel .publish-result")).to_contain_text(
        "Revision 3 to Local Dataverse (emulator)"
    )
    assert (
        knobs.client.retrieve("msdyn_livechatconfigs", widget_id)["msdyn_widgettitle"] == "Chat with Contoso"
    )


def test_a_scheduled_publish_is_cancelled_by_hand(page, emulator, knobs):  # noqa: F811
    environment = unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )
    channel = approved_channel(environment, **FULL)
    UserFactory(username="publisher", groups=[permissions.PUBLISHERS])
    sign_in(page, "publisher")
    page.goto(f"/channels/{channel.pk}/")
    panel = page.locator("#schedule-panel")
    panel.get_by_label("Publish at (time zone UTC)").fill(
        (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    )
    panel.get_by_role("button", name="Publish at…").click()
    page.get_by_role("button", name="Cancel scheduled publish").click()
    expect(page.get_by_text("The scheduled publish was cancelled.")).to_be_visible()
    expect(page.locator(".scheduled-publish")).to_have_count(0)
    assert ScheduledPublish.objects.get().state == ScheduledPublish.State.CANCELLED
