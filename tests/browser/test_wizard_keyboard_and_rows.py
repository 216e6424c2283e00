"""The wizard by keyboard and mouse as a newcomer uses it: Enter, rows in the page, errors that come
and go, and a refused Next that never claims to have saved."""

import re
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import field, screenshot, sign_in
from tests.factories import ChannelFactory, author
from wizard.models import Channel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def channel():
    user = author(username="author")
    return ChannelFactory(
        owner=user, visited_steps=["details", "workstream", "appearance", "behaviors", "features"]
    )


def open_step(page, channel, slug):
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/{slug}/")
    # A marker that a page load would wipe out: rows must come and go without one.
    page.evaluate("() => { window.__samePage = true; }")


def same_page(page):
    return page.evaluate("() => window.__samePage === true")


def test_enter_in_a_text_box_means_next_never_a_step_tab(page, channel):
    open_step(page, channel, "workstream")
    field(page, "Workstream name").fill("Contoso chat workstream")
    field(page, "Workstream name").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")
    # On a step with a problem Enter keeps the step, with the problem beside its field.
    field(page, "Title").fill("")
    field(page, "Subtitle").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")
    expect(page.locator("#div_id_title .invalid-feedback")).to_be_visible()
    assert Channel.objects.get(pk=channel.pk).current_step == "appearance"


def test_adding_three_questions_keeps_every_typed_value_without_a_page_load(page, channel):
    open_step(page, channel, "behaviors")
    page.get_by_role("checkbox", name="Pre-conversation survey").check()
    add = page.get_by_role("button", name="Add question")
    typed = [("Topic", "What is it about?"), ("Order", "Your order number?"), ("Store", "Which store?")]
    for index, (name, text) in enumerate(typed):
        add.click()
        page.locator(f'[name="questions-{index}-name"]').fill(name)
        page.locator(f'[name="questions-{index}-text"]').fill(text)
    assert same_page(page)
    expect(page.locator('[name="questions-TOTAL_FORMS"]')).to_have_value("3")
    for index, (name, text) in enumerate(typed):
        expect(page.locator(f'[name="questions-{index}-name"]')).to_have_value(name)
        expect(page.locator(f'[name="questions-{index}-text"]')).to_have_value(text)
    # Every element of the added rows has an id of its own, wrappers included.
    ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), (el) => el.id)")
    assert len(ids) == len(set(ids)) and not [i for i in ids if "__prefix__" in i]
    expect(page.locator("#div_id_questions-2-name")).to_have_count(1)
    # A new row is not marked as missing anything before the author acted.
    expect(page.get_by_text("Name the question")).to_have_count(0)
    expect(page.get_by_text("Enter the question the customer sees")).to_have_count(0)

    # Reorder and remove in the page: the formset is renumbered, nothing typed is lost.
    page.get_by_role("button", name="Move up Question 3").click()
    page.get_by_role("button", name="Remove Question 1").click()
    assert same_page(page)
    expect(page.locator('[name="questions-TOTAL_FORMS"]')).to_have_value("2")
    expect(page.locator('[name="questions-0-name"]')).to_have_value("Store")
    expect(page.locator('[name="questions-1-name"]')).to_have_value("Order")

    # "Options" shows only for the option set answer type.
    options = page.locator('[data-row-field="options"]').first
    expect(options).to_be_hidden()
    page.locator('[name="questions-0-answer_type"]').select_option(label="Option set")
    expect(options).to_be_visible()

    # The one-click identification question appears once, then its button goes.
    page.get_by_role("button", name="Ask for email").click()
    expect(page.locator('[name="questions-2-name"]')).to_have_value("Email")
    expect(page.get_by_role("button", name="Ask for email")).to_be_hidden()
    expect(page.get_by_role("button", name="Ask for name")).to_be_visible()
    assert same_page(page)
    screenshot(page, "wizard-rows-in-page")

    page.locator('[name="questions-0-options"]').fill("North;South")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    stored = Channel.objects.get(pk=channel.pk).data["behaviors"]["questions"]
    assert [(q["name"], q["text"]) for q in stored] == [
        ("Store", "Which store?"),
        ("Order", "Your order number?"),
        ("Email", "What is your email address?"),
    ]
    assert stored[0]["options"] == "North;South"


def test_errors_appear_after_the_author_acted_and_clear_when_fixed(page, channel):
    open_step(page, channel, "appearance")
    title = field(page, "Title")
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    title.fill("")
    page.get_by_role("button", name="Next").click()
    error = page.locator("#div_id_title .invalid-feedback")
    expect(error).to_be_visible()
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    screenshot(page, "wizard-error-beside-field")
    field(page, "Title").fill("Chat with Contoso")
    expect(error).to_have_count(0)
    expect(field(page, "Title")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    # A required field emptied again gets its message when the author leaves it.
    field(page, "Title").fill("")
    field(page, "Subtitle").focus()
    expect(page.locator("#div_id_title [data-client-error]")).to_be_visible()


def test_pasted_text_past_a_length_limit_is_kept_whole_and_said_too_long(page, channel):
    open_step(page, channel, "appearance")
    page.get_by_role("checkbox", name="Reconnect to previous chat").check()
    portal_url = field(page, "Portal URL")
    pasted = "https://contoso.example/support/chat?campaign=" + "winter-sale-" * 10 + "&lang=en-US"
    portal_url.focus()
    page.keyboard.insert_text(pasted)  # as a paste arrives: the browser would cut it at a maxlength
    expect(portal_url).to_have_value(pasted)
    message = page.locator("#div_id_reconnect_portal_url [data-client-error]")
    expect(message).to_contain_text(f"at most 100 characters (it has {len(pasted)};")
    page.get_by_role("button", name="Save draft").click()
    # The save refuses it with the same words and keeps it whole in the form.
    expect(page.locator("#div_id_reconnect_portal_url .invalid-feedback")).to_contain_text(
        "at most 100 characters"
    )
    expect(field(page, "Portal URL")).to_have_value(pasted)
    portal_url = field(page, "Portal URL")
    portal_url.fill("https://contoso.example/support")
    expect(page.locator("#div_id_reconnect_portal_url .invalid-feedback")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_pasted_nul_character_is_dropped_and_everything_typed_saved(new_context, channel, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/appearance/")
    field(page, "Title").fill("Typed before the paste")
    field(page, "Subtitle").fill("Pasted\u0000here")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    saved = Channel.objects.get(pk=channel.pk).data["appearance"]
    assert saved["title"] == "Typed before the paste" and saved["subtitle"] == "Pastedhere"


def test_a_field_fixed_after_a_refused_next_leaves_the_error_summary(page, channel):
    open_step(page, channel, "appearance")
    field(page, "Title").fill("")
    field(page, "Logo URL").fill("http://contoso.example/logo.png")
    page.get_by_role("button", name="Next").click()
    summary = page.locator("#step-problems")
    expect(summary.locator("li")).to_have_count(2)
    field(page, "Title").fill("Chat with Contoso")
    expect(summary.locator('a[href="#id_title"]')).to_have_count(0)
    expect(summary.locator('a[href="#id_logo_url"]')).to_have_count(1)
    field(page, "Logo URL").fill("https://contoso.example/logo.png")
    expect(summary).to_be_hidden()  # nothing left to list


def test_a_refused_next_never_says_saved(page, channel):
    open_step(page, channel, "appearance")
    field(page, "Title").fill("")
    page.get_by_role("button", name="Next").click()
    alert = page.locator("#step-problems")  # the refused step's error summary
    expect(alert).to_be_visible()
    expect(alert).not_to_contain_text("Saved")
    expect(alert).to_contain_text("fix the fields marked below")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat widget")


def test_a_survey_needs_a_customer_voice_survey_and_says_why_the_list_is_empty(page, channel):
    open_step(page, channel, "behaviors")
    page.get_by_role("checkbox", name="Post-conversation survey").check()
    expect(page.get_by_text("The environment has no Customer Voice surveys yet")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(
        page.locator("#step-form").get_by_text(
            "Choose a Customer Voice survey, or turn off Post-conversation survey."
        )
    ).to_be_visible()


def test_theme_colours_are_swatches(page, channel):
    open_step(page, channel, "appearance")
    red = page.get_by_label("Red", exact=True)
    red.check()
    swatch = page.locator("label.theme-swatch", has=red).locator(".swatch")
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(186, 30, 39)"
    assert swatch.bounding_box()["width"] >= 16


def test_new_channel_starts_the_draft_in_one_click_from_home(page):
    author(username="author")
    sign_in(page, "author")
    page.goto("/")
    page.get_by_role("button", name="New channel").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text("Channel details")
    assert Channel.objects.count() == 1


def test_a_refused_next_focuses_the_error_summary_that_links_to_the_field(page, channel):
    open_step(page, channel, "appearance")
    field(page, "Title").fill("")
    page.get_by_role("button", name="Next").click()
    summary = page.get_by_role("alert").filter(has_text="This step has problems")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("^Title: "))
    expect(link).to_have_attribute("href", "#id_title")
    assert same_page(page)


def test_the_language_menu_waits_for_its_button(page, channel):
    open_step(page, channel, "appearance")
    page.get_by_label("Display language").select_option("ko")
    assert same_page(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def test_changing_the_language_saves_what_was_typed_first_and_stays_on_the_step_shown(page, channel):
    open_step(page, channel, "details")
    page.get_by_role("button", name="Next").click()  # htmx: the address moves on, the menu bar stays
    expect(page.locator("h1")).to_have_text("Workstream")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text("Chat widget")
    field(page, "Subtitle").fill("Typed just before switching language")
    page.get_by_label("Display language").select_option("ko")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert page.evaluate("location.pathname") == f"/channels/{channel.pk}/steps/appearance/"
    expect(field(page, "부제목")).to_have_value("Typed just before switching language")
    channel.refresh_from_db()
    assert channel.data["appearance"]["subtitle"] == "Typed just before switching language"


def store_questions(channel, count):
    channel.data["behaviors"].update(
        prechat_enabled=True,
        questions=[
            {
                "name": f"Q{i}",
                "text": f"Question {i}?",
                "answer_type": "192350000",
                "options": "",
                "required": False,
            }
            for i in range(count)
        ],
    )
    channel.save()


def test_a_page_that_loads_with_ten_questions_takes_no_eleventh(page, channel):
    store_questions(channel, 10)
    open_step(page, channel, "behaviors")
    add = page.get_by_role("button", name="Add question")
    expect(add).to_be_disabled()
    expect(page.get_by_role("button", name="Ask for email")).to_be_disabled()
    # Removing one makes room again.
    page.get_by_role("button", name="Remove Question 10").click()
    expect(add).to_be_enabled()
    add.click()
    expect(page.locator('[name="questions-TOTAL_FORMS"]')).to_have_value("10")
    expect(add).to_be_disabled()


def test_too_many_rows_is_told_until_enough_are_removed_in_the_page(page, channel):
    store_questions(channel, 11)
    open_step(page, channel, "behaviors")
    page.get_by_role("button", name="Next").click()
    summary = page.locator("#step-problems")
    expect(summary).to_contain_text("at most 10 rows are allowed")
    limit = page.locator("#rows-questions [data-rows-limit]")
    expect(limit).to_be_visible()
    page.get_by_role("button", name="Remove Question 11").click()
    expect(limit).to_be_hidden()
    expect(summary.locator('[data-rows-limit="rows-questions"]')).to_be_hidden()
    assert same_page(page)
    # The page says no more than the server would: with 10 rows Next goes on.
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User features")
    assert len(Channel.objects.get(pk=channel.pk).data["behaviors"]["questions"]) == 10


def test_the_browsers_back_button_shows_the_step_as_saved_not_as_it_was(page, channel):
    open_step(page, channel, "details")
    field(page, "Name").fill("Name before")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    field(page, "Name").fill("Name saved with Next")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workstream")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Channel details")
    # The page comes from the server again, with what Next saved and the version it saved.
    expect(field(page, "Name")).to_have_value("Name saved with Next")
    saved = Channel.objects.get(pk=channel.pk)
    expect(page.locator('#step-form [name="version"]')).to_have_value(str(saved.version))
    # Nothing of the page is kept in the browser's storage.
    assert page.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('htmx'))") == []


def test_the_form_is_locked_while_a_save_is_on_its_way_so_nothing_typed_then_is_lost(
    page, channel, monkeypatch
):
    # Typing into a form whose answer is about to replace it would lose the text: while the save is on
    # its way the fields and buttons are disabled, and the answer brings them back.
    from wizard.services import drafts

    arrived = threading.Event()
    release = threading.Event()
    save_step = drafts.save_step

    def slow_save(*args, **kwargs):
        arrived.set()
        release.wait(10)
        return save_step(*args, **kwargs)

    monkeypatch.setattr(drafts, "save_step", slow_save)
    open_step(page, channel, "appearance")
    field(page, "Title").fill("Sent with the save")
    page.get_by_role("button", name="Save draft").click()
    assert arrived.wait(10)
    expect(field(page, "Title")).to_be_disabled()
    expect(field(page, "Subtitle")).to_be_disabled()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    release.set()
    expect(page.locator("#save-state")).to_contain_text("Saved")
    expect(field(page, "Title")).to_be_enabled()
    expect(field(page, "Title")).to_have_value("Sent with the save")
    assert same_page(page)
    assert Channel.objects.get(pk=channel.pk).data["appearance"]["title"] == "Sent with the save"
