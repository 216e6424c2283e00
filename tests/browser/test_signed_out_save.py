"""A save that reaches the portal after the session ended: nothing typed is lost, with JavaScript off too."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import field, sign_in
from tests.factories import ChannelFactory, author
from wizard.models import Channel

pytestmark = pytest.mark.django_db(transaction=True)


def type_then_sign_out_elsewhere(new_context, javascript, typed, sign_in_again=False):
    """A channel's details step with ``typed`` as its name, not saved, while another tab of the same
    browser signs out (and in again, with ``sign_in_again``)."""
    channel = ChannelFactory(owner=author(username="author"))
    context = new_context(java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/details/")
    field(page, "Name").fill(typed)
    # The other tab's requests, through the context's own cookies (no second page to open and close).
    context.request.post("/accounts/logout/", headers={"X-CSRFToken": csrf_token(context)})
    if sign_in_again:
        context.request.get("/accounts/login/")
        form = {"username": "author", "password": "changeme", "csrfmiddlewaretoken": csrf_token(context)}
        context.request.post("/accounts/login/", form=form)
    return channel, page


def csrf_token(context):
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")


@pytest.mark.parametrize("javascript", [True, False])
def test_typed_values_come_back_after_signing_in_again(new_context, javascript):
    channel, page = type_then_sign_out_elsewhere(new_context, javascript, "Typed before the session ended")

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("status")).to_contain_text("You were signed out before your changes")
    page.get_by_label("Username").fill("author")
    page.get_by_label("Password").fill("changeme")
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.wait_for_url(f"**/channels/{channel.pk}/steps/details/")
    expect(field(page, "Name")).to_have_value("Typed before the session ended")
    expect(page.get_by_text("They are not saved yet: check them, then save.")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).name == "Contoso support chat"
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).name == "Typed before the session ended"


@pytest.mark.parametrize("javascript", [True, False])
def test_a_save_from_a_page_opened_before_signing_in_again_says_so_and_keeps_the_typing(
    new_context, javascript
):
    # Signing in again gives the session a new CSRF token.
    channel, page = type_then_sign_out_elsewhere(
        new_context, javascript, "Typed before signing in again", sign_in_again=True
    )

    page.get_by_role("button", name="Save draft").click()
    message = "Nothing was saved: the page was opened before you last signed in"
    if javascript:  # said above the form, which keeps what was typed
        expect(page.locator("[data-save-problem]")).to_contain_text(message)
        expect(field(page, "Name")).to_have_value("Typed before signing in again")
    else:  # the portal's own page, not Django's
        expect(page.get_by_role("heading", name="This page had expired")).to_be_visible()
        expect(page.get_by_text(message)).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).name == "Contoso support chat"
