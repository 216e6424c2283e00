"""The whole wizard in Chromium, driven by visible labels."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import field, screenshot, sign_in
from tests.factories import author

pytestmark = pytest.mark.django_db(transaction=True)


def test_author_walks_all_steps_resumes_in_a_new_browser_and_reaches_a_clean_review(new_context):
    author(username="author")
    page = new_context().new_page()
    sign_in(page, "author")

    page.goto("/channels/")
    page.get_by_role("button", name="New channel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Channel details")
    field(page, "Name").fill("Contoso <b>support</b>")
    field(page, "Language").select_option(label="Korean")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Workstream")
    expect(field(page, "Workstream name")).to_be_visible()
    field(page, "Use existing workstream").check()
    expect(field(page, "Workstream name")).to_be_hidden()
    field(page, "Create new workstream").check()
    field(page, "Workstream name").fill("Contoso chat workstream")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")
    field(page, "Title").fill("Chat with Contoso")
    field(page, "Logo URL").fill("javascript:alert(1)")
    field(page, "Reconnect to previous chat").check()
    page.get_by_role("button", name="Back").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Workstream")
    expect(field(page, "Workstream name")).to_have_value("Contoso chat workstream")
    page.get_by_role("button", name="Next").click()
    expect(field(page, "Title")).to_have_value("Chat with Contoso")
    expect(field(page, "Logo URL")).to_have_value("javascript:alert(1)")
    expect(page.get_by_text("Enter a URL that starts with https://")).to_be_visible()

    expect(page.get_by_role("button", name="Add domain")).to_be_hidden()
    field(page, "Show widget only on these domains").check()
    page.get_by_role("button", name="Add domain").click()
    field(page, "Domain").fill("https://www.contoso.com")
    page.get_by_role("button", name="Next").click()
    # Beside the field (the error summary above the form links to it too).
    expect(page.locator("#step-form").get_by_text("Enter the domain without http://")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")
    screenshot(page, "wizard-chat-widget-errors")
    page.context.close()

    # Another browser, another day: everything is as typed, and the draft resumes where it was.
    page = new_context().new_page()
    sign_in(page, "author")
    page.goto("/")
    page.get_by_role("link", name="Contoso <b>support</b>").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")
    expect(field(page, "Domain")).to_have_value("https://www.contoso.com")

    page.get_by_role("button", name="6. Review and finish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and finish")
    problems = page.get_by_role("heading", name=re.compile(r"problems? to fix"))
    expect(problems).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_be_disabled()
    screenshot(page, "wizard-review-with-problems")

    page.get_by_role("link", name="Chat widget").first.click()
    field(page, "Logo URL").fill("https://www.contoso.com/logo.png")
    field(page, "Domain").fill("www.contoso.com")
    field(page, "Time limit (minutes)").fill("30")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Behaviors")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User features")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and finish")
    expect(page.get_by_text("Every step is complete")).to_be_visible()
    expect(page.get_by_text("Contoso <b>support</b>").first).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_be_enabled()
    screenshot(page, "wizard-review-clean")
