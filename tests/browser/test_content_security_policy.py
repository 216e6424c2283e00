"""The pages work under the content security policy: nothing they load is refused."""

import pytest

from portal import permissions
from tests.browser.conftest import sign_in
from tests.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_with_a_channel(page):
    """A user in every group, signed in, with a channel of their own."""
    user = UserFactory(username="everyone", groups=list(permissions.GROUP_PERMISSIONS))
    channel = ChannelFactory(owner=user)
    sign_in(page, "everyone")
    return channel


def policy_refusals(page):
    """The messages the browser logs for what the policy refused, as they come."""
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


def test_no_page_loads_anything_the_policy_refuses(page):
    refused = policy_refusals(page)
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    channel = signed_in_with_a_channel(page)
    for url in [
        "/",
        "/channels/",
        f"/channels/{channel.pk}/",
        f"/channels/{channel.pk}/steps/details/",
        f"/channels/{channel.pk}/steps/appearance/",
        f"/channels/{channel.pk}/steps/review/",
        "/environments/",
        "/audit/",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert refused == []
    # Nothing a page asks for is missing, the browser's icon request included.
    assert failed == []
    assert page.evaluate("() => document.querySelector('link[rel=icon]').href").endswith(".svg")


def test_saving_steps_in_the_page_breaks_no_rule_of_the_policy(page):
    refused = policy_refusals(page)
    channel = signed_in_with_a_channel(page)
    page.goto(f"/channels/{channel.pk}/steps/appearance/")
    panel = page.locator("#preview-panel")
    for state in ("launcher", "offline", "prechat", "postchat", "reconnect", "proactive", "open"):
        panel.locator(f"label[for=pv-state-{state}]").click()
    panel.locator("label[for=pv-device-mobile]").click()
    page.locator("#id_title").fill("Policy check")
    page.get_by_label("Red", exact=True).check()
    for name in ("anonymize_agent", "reconnect_enabled", "operating_hours_only", "domains_only"):
        page.locator(f"#id_{name}").check()
    page.get_by_role("button", name="Add domain").click()
    page.locator('[name="domains-0-domain"]').fill("contoso.example")
    page.get_by_role("button", name="Add domain").click()
    page.get_by_role("button", name="Remove Domain 1").click()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("heading", name="Chat widget").wait_for()  # refused: operating hours missing
    page.wait_for_load_state("networkidle")
    assert refused == []
