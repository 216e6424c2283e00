"""The live widget preview in Chromium: Microsoft's chat components in a same-origin frame.

Every state renders with no console error, no refused content and no request to another host; the
header fields change in the same frame as the keystroke; author text stays text; the review page shows
each revision in its own frame; the embed snippet builder drives the frame.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import SCREENSHOTS, field, sign_in
from wizard.models import Revision
from wizard.preview import STATES

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)
pytestmark = pytest.mark.django_db(transaction=True)

# What each state shows, inside the frame (the chat components' own element ids where they have one).
STATE_PARTS = {
    "launcher": "#lcw-components-chat-button",
    "open": "#lcw-header-title",
    "offline": "#lcw-out-of-office-hours-pane",
    "prechat": ".ac-adaptiveCard",
    "postchat": '[data-pv-part="survey-link"]',
    "reconnect": "#lcw-reconnect-chat-pane",
    "proactive": "#lcw-proactive-chat",
}


@pytest.fixture
def channel(db):
    author = factories.author(username="author")
    return factories.ChannelFactory(owner=author)


def everything_on(channel):
    channel.data["behaviors"].update(
        prechat_enabled=True,
        postchat_enabled=True,
        survey_link_message="Tell us how we did",
        questions=[
            {
                "name": f"Q{i}",
                "text": f"Question {i}: " + "tell us more " * 4,
                "answer_type": t,
                "options": "Sales;Support; sales ;;",  # repeats and blanks are dropped, as publishing does
                "required": i % 2 == 0,
            }
            for i, t in enumerate(["192350000", "192350001", "192350002", "192350003", "192350004"])
        ],
    )
    channel.data["appearance"].update(
        operating_hours_only=True,
        show_offline_widget=True,
        offline_title="We are closed",
        offline_subtitle="Back at nine",
        reconnect_enabled=True,
        reconnect_time_limit="30",
        proactive_chat=True,
        logo_url="",
    )
    channel.data["features"].update(
        attachments_customers=True,
        transcript_download=True,
        transcript_email=True,
        notify_sound=True,
        notify_unread_count=True,
        calling="192350001",
    )
    channel.save()


class Watch:
    """Console errors, refused content, page errors, dialogs and requests to other hosts of one page."""

    def __init__(self, page, own_host):
        self.problems, self.foreign, self.dialogs = [], [], []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self.dialog)
        page.on(
            "request",
            lambda r: self.foreign.append(r.url) if urlsplit(r.url).netloc not in ("", own_host) else None,
        )

    def dialog(self, dialog):
        if dialog.type == "beforeunload":  # leaving a step with unsaved typing asks first
            dialog.accept()
        else:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

    def console(self, message):
        # The portal's pages have no favicon; Chromium's request for one is not the preview's.
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            if "404" in message.text and not message.location.get("url"):
                return
            self.problems.append(message.text)
        elif "Content Security Policy" in message.text:
            self.problems.append(message.text)


def open_step(page, channel, slug="appearance"):
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/{slug}/")
    region = page.get_by_role("region", name="Widget preview")
    wait_ready(page, "#pv")
    return region, region.frame_locator("[data-pv-frame]")


def wait_ready(page, preview_selector):
    # Locators, not wait_for_function: the portal's CSP forbids the eval that a string predicate needs.
    page.frame_locator(f"{preview_selector} [data-pv-frame]").locator("html[data-ready='true']").wait_for(
        state="attached"
    )


def shoot(locator, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_state_and_width_switches_show_only_where_they_work(new_context, channel, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/appearance/")
    switches = page.locator("#pv [data-pv-controls]")
    if javascript:
        expect(switches).to_be_visible()
    else:
        expect(switches).to_be_hidden()
        expect(page.get_by_role("button", name="Next")).to_be_visible()


def test_every_state_renders_clean(page, channel, live_server):
    everything_on(channel)
    watch = Watch(page, urlsplit(live_server.url).netloc)
    region, frame = open_step(page, channel, "features")
    for value, label in STATES:
        region.get_by_text(str(label), exact=True).click()
        frame.locator(STATE_PARTS[value]).first.wait_for(state="visible")
        if value != "open":
            assert frame.locator(".pv-customer").count() == 0 or value == "postchat"
        shoot(region, f"preview-{value}")
    region.get_by_text("Chat open", exact=True).click()
    for feature in ("video", "voice", "attach"):
        assert frame.locator(f'[data-pv-feature="{feature}"]').is_visible(), feature
    for button in ("download-transcript", "email-transcript", "audio-notification"):
        assert frame.locator(f"#lcw-footer-{button}-button").is_visible(), button
    region.get_by_text("Mobile", exact=True).click()
    assert region.locator("[data-pv-frame]").bounding_box()["width"] <= 362
    frame.locator("#lcw-header-title").wait_for()
    shoot(region, "preview-mobile")
    assert watch.problems == [] and watch.foreign == [] and watch.dialogs == []


def test_prechat_card_has_required_marks_and_option_sets(page, channel):
    everything_on(channel)
    region, frame = open_step(page, channel, "behaviors")
    region.get_by_text("Pre-conversation survey", exact=True).click()
    card = frame.locator(".ac-adaptiveCard")
    card.wait_for()
    assert card.get_by_text("Question 0: tell us more", exact=False).first.inner_text().endswith("*")
    assert not card.get_by_text("Question 1:", exact=False).first.inner_text().endswith("*")
    options = card.locator("select option")
    texts = [options.nth(i).inner_text() for i in range(options.count())]
    assert [text for text in texts if text != "Choose an option"] == ["Sales", "Support"]
    assert card.locator("input[type=checkbox]").count() == 1  # user consent
    assert card.get_by_role("button", name="Start chat").is_visible()


def test_typing_in_title_updates_launcher_and_header_in_the_same_frame(page, channel):
    region, frame = open_step(page, channel)
    # Set the value and fire the input event, then read the frame's DOM in the same task: nothing can
    # have been painted in between, so equal text means the update landed before the next frame.
    seen = page.evaluate(
        """() => {
        const input = document.getElementById('id_title');
        input.value = 'Same frame';
        input.dispatchEvent(new Event('input', {bubbles: true}));
        const doc = document.querySelector('#pv [data-pv-frame]').contentDocument;
        return [doc.getElementById('lcw-header-title').textContent,
                doc.getElementById('lcw-components-chat-button').textContent];
        }"""
    )
    assert seen[0] == "Same frame" and "Same frame" in seen[1]
    title = page.locator("#id_title")
    title.fill("")
    title.focus()
    page.keyboard.type("Hello Contoso", delay=15)
    assert frame.locator("#lcw-header-title").inner_text() == "Hello Contoso"
    assert "Hello Contoso" in frame.locator("#lcw-components-chat-button").inner_text()
    assert page.evaluate("document.activeElement.name") == "title"
    assert page.evaluate("document.activeElement.selectionStart") == len("Hello Contoso")


@pytest.mark.parametrize(
    "title",
    ["W" * 100, ("Chat with the Contoso customer service team " * 3)[:100]],
    ids=["one-word", "words"],
)
def test_a_long_title_wraps_in_the_header_beside_the_logo_and_the_buttons(page, channel, title):
    region, frame = open_step(page, channel)
    page.fill("#id_logo_url", "")
    page.fill("#id_title", title)
    header = frame.locator("#lcw-header-title")
    header.wait_for()
    assert header.inner_text() == title
    boxes = {
        name: frame.locator(selector).bounding_box()
        for name, selector in {
            "title": "#lcw-header-title",
            "icon": "#lcw-header-icon",
            "minimize": "#lcw-header-minimize-button",
            "close": "#lcw-header-close-button",
            "window": ".pv-window",
        }.items()
    }
    assert boxes["icon"]["width"] == 30  # the logo keeps its size
    assert boxes["icon"]["x"] + 30 <= boxes["title"]["x"]
    assert boxes["title"]["x"] + boxes["title"]["width"] <= boxes["minimize"]["x"]
    assert boxes["close"]["x"] + boxes["close"]["width"] <= boxes["window"]["x"] + boxes["window"]["width"]
    assert boxes["title"]["height"] > 40  # wrapped onto more lines, not cut off


def test_position_theme_and_other_fields_update_without_the_server(page, channel):
    region, frame = open_step(page, channel)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    launcher = frame.locator("#lcw-components-chat-button")
    right = launcher.bounding_box()["x"]
    page.locator('[name="widget_position"][value="192236011"]').check()
    assert launcher.bounding_box()["x"] < right - 100
    page.get_by_label("Red", exact=True).check()
    assert (
        frame.locator("#lcw-header").evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgb(186, 30, 39)"
    )
    posts.clear()
    page.locator("#id_anonymize_agent").check()
    page.locator("#id_generic_agent_name").fill("Contoso team")
    page.wait_for_timeout(100)
    assert frame.locator('[data-pv-slot="agent"]').inner_text() == "Contoso team"
    page.locator("#id_proactive_chat").check()
    region.get_by_text("Proactive invitation", exact=True).click()
    assert frame.locator("#lcw-proactive-chat").is_visible()
    assert posts == []  # none of these fields needs the server


def test_checks_follow_typing(page, channel):
    region, _frame = open_step(page, channel)
    page.get_by_label("Clay", exact=True).check()
    region.locator('[data-check="contrast"]').wait_for()
    page.locator("#id_title").fill("A title much longer than the header can show")
    region.locator('[data-check="title_truncated"]').wait_for()


def test_author_text_stays_text_everywhere(page, channel, live_server):
    everything_on(channel)
    watch = Watch(page, urlsplit(live_server.url).netloc)
    region, frame = open_step(page, channel)
    for name in ("title", "subtitle", "offline_title", "offline_subtitle", "generic_agent_name"):
        if name == "generic_agent_name":
            page.locator("#id_anonymize_agent").check()
        page.locator(f"#id_{name}").fill(XSS)
    page.locator("#id_logo_url").fill("javascript:alert(3)")
    # Retrying assertions: on a loaded machine the frame may draw a moment after the keystroke.
    expect(frame.locator("#lcw-header-title")).to_have_text(XSS)
    expect(frame.locator("#lcw-components-chat-button")).to_contain_text(XSS)
    expect(frame.locator('[data-pv-slot="agent"]')).to_have_text(XSS)
    expect(frame.locator("#lcw-header-icon")).to_have_attribute("src", re.compile(r"^data:"))
    region.get_by_text("Offline", exact=True).click()
    expect(frame.locator("#lcw-header-title")).to_have_text(XSS)
    expect(frame.locator("#lcw-out-of-office-hours-pane")).to_contain_text(XSS)
    region.locator('[data-check="logo_not_https"]').wait_for()
    # The behaviors step: question text, options and the survey link message.
    page.goto(f"/channels/{channel.pk}/steps/behaviors/")
    wait_ready(page, "#pv")
    page.locator("#id_survey_link_message").fill(XSS)
    page.locator("#id_questions-0-text").fill(XSS)
    page.locator("#id_questions-2-options").fill(XSS + ";b")
    region = page.get_by_role("region", name="Widget preview")
    frame = region.frame_locator("[data-pv-frame]")
    region.get_by_text("Pre-conversation survey", exact=True).click()
    card = frame.locator(".ac-adaptiveCard")
    expect(card.get_by_text(XSS + " *", exact=True)).to_have_count(1)
    expect(frame.locator("select option", has_text="<img")).to_have_count(1)
    region.get_by_text("Post-conversation survey", exact=True).click()
    expect(frame.locator('[data-pv-slot="survey_message"]')).to_have_text(XSS)
    assert frame.locator("img[src=x], img[src='x']").count() == 0
    assert frame.locator("script").count() == 2  # the page's own: the JSON and the bundle
    assert watch.dialogs == [] and watch.foreign == [] and watch.problems == []


def test_the_reconnect_prompt_tells_only_a_time_limit_the_form_accepts(page, channel):
    everything_on(channel)
    region, frame = open_step(page, channel)
    region.get_by_text("Reconnect prompt", exact=True).click()
    pane = frame.locator(STATE_PARTS["reconnect"])
    expect(pane).to_contain_text("for 30 minutes")
    limit = field(page, "Time limit (minutes)")
    for typed in ("1e", "99999999", "0", "-5"):
        limit.fill(typed)
        expect(pane).not_to_contain_text("minutes")
    limit.fill("45.0")
    expect(pane).to_contain_text("for 45 minutes")


def test_logo_loads_only_from_https(page, channel):
    page.route(
        "https://logo.contoso.test/**",
        lambda route: (
            route.fulfill(status=404, body="no")
            if "missing" in route.request.url
            else route.fulfill(body=PNG, content_type="image/png")
        ),
    )
    _region, frame = open_step(page, channel)
    logo = page.locator("#id_logo_url")
    default_icon = frame.locator("#lcw-header-icon").get_attribute("src")
    assert default_icon.startswith("data:image/")  # the components' own chat icon
    for url in (
        "http://logo.contoso.test/logo.png",
        "data:image/svg+xml,<svg onload=alert(4)>",
        "javascript:x",
    ):
        logo.fill(url)
        assert frame.locator("#lcw-header-icon").get_attribute("src") == default_icon
    logo.fill("https://logo.contoso.test/logo.png")
    assert frame.locator("#lcw-header-icon").get_attribute("src") == "https://logo.contoso.test/logo.png"
    assert page.locator('#pv [data-check="logo_failed"]').is_hidden()
    logo.fill("https://logo.contoso.test/missing.png")  # answers with no image
    page.locator('#pv [data-check="logo_failed"]').wait_for(state="visible")
    page.locator("#id_title").fill("A new title")  # new checks from the server keep the warning
    page.wait_for_timeout(300)
    assert page.locator('#pv [data-check="logo_failed"]').is_visible()
    # A cleared or refused URL loads nothing, so the warning about the last one goes.
    for url in ("", "http://logo.contoso.test/missing.png"):
        logo.fill("https://logo.contoso.test/missing.png")
        page.locator('#pv [data-check="logo_failed"]').wait_for(state="visible")
        logo.fill(url)
        page.locator('#pv [data-check="logo_failed"]').wait_for(state="hidden")


def test_review_page_shows_each_revision_in_its_own_frame(page, channel):
    author = channel.owner
    data_old = {**channel.data, "appearance": {**channel.data["appearance"], "title": "Published title"}}
    data_new = {**channel.data, "appearance": {**channel.data["appearance"], "title": "Revision title"}}
    published = Revision.objects.create(
        channel=channel, number=1, data=data_old, content_hash="a", created_by=author, state="published"
    )
    Revision.objects.create(channel=channel, number=2, data=data_new, content_hash="b", created_by=author)
    channel.published_revision = published
    channel.environment = factories.EnvironmentFactory()
    channel.save()
    # Revision 1 is live in the channel's environment: the review page compares with it.
    factories.live_in_its_environment(published, author)
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/review/")
    for key, title in (("pv-revision", "Revision title"), ("pv-published", "Published title")):
        wait_ready(page, f"#{key}")
        frame = page.frame_locator(f"#{key} [data-pv-frame]")
        assert frame.locator("#lcw-header-title").inner_text() == title
    new_box = page.locator("#pv-revision [data-pv-frame]").bounding_box()
    old_box = page.locator("#pv-published [data-pv-frame]").bounding_box()
    assert abs(new_box["y"] - old_box["y"]) < 2 and new_box["x"] < old_box["x"]  # side by side
    shoot(page.locator(".review-previews"), "preview-review")


def test_snippet_builder_and_copy(page, channel):
    author = channel.owner
    revision = Revision.objects.create(
        channel=channel, number=1, data=channel.data, content_hash="x", created_by=author
    )
    channel.environment = factories.EnvironmentFactory()  # the code shown is the one live in it
    channel.save(update_fields=["environment"])
    factories.live_in_its_environment(
        revision,
        author,
        widget_app_id="app-1",
        widget_snippet='<script v2 id="Microsoft_Omnichannel_LCWidget" src="https://cdn.example/x.js" '
        'data-app-id="app-1" data-org-id="org-1" data-org-url="https://org.example"></script>',
    )
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/")
    wait_ready(page, "#embed")
    code = page.get_by_label("Embed code")
    assert 'data-app-id="app-1"' in code.input_value()
    frame = page.frame_locator("#embed [data-pv-frame]")
    assert frame.locator("#lcw-components-chat-button").is_visible()
    page.get_by_label("Hide the chat button").check()
    page.get_by_label("Colour override").fill("#123456")
    assert 'data-hide-chat-button="true"' in code.input_value()
    assert 'data-color-override="#123456"' in code.input_value()
    assert frame.locator("#lcw-components-chat-button").count() == 0
    assert (
        frame.locator("#lcw-header").evaluate("el => getComputedStyle(el).backgroundColor")
        == "rgb(18, 52, 86)"
    )
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy-status]")).not_to_have_text("")


@pytest.mark.parametrize("failure", ["500", "abort"])
def test_widget_keeps_up_when_the_checks_request_fails(page, channel, failure):
    region, frame = open_step(page, channel)
    page.route(
        "**/preview/",
        lambda route: route.fulfill(status=500, body="boom") if failure == "500" else route.abort(),
    )
    page.locator("#id_title").fill("Still drawn")
    assert frame.locator("#lcw-header-title").inner_text() == "Still drawn"
    region.locator('[data-check="checks_stale"]').wait_for(state="visible")
    page.unroute("**/preview/")
    page.locator("#id_title").fill("Back again")
    page.wait_for_timeout(300)
    assert region.locator('[data-check="checks_stale"]').is_hidden()  # fresh checks replace the note


def mark_frame_window(page):
    """Mark the preview frame's window: a frame loaded again has a window without the mark."""
    page.evaluate("() => { document.querySelector('#pv [data-pv-frame]').contentWindow.keptFrame = true; }")


def frame_window_marked(page):
    return page.evaluate(
        "() => document.querySelector('#pv [data-pv-frame]').contentWindow.keptFrame === true"
    )


def test_a_save_keeps_the_preview_frame_state_and_width(page, channel):
    region, frame = open_step(page, channel)
    region.locator("label[for=pv-state-launcher]").click()
    region.locator("label[for=pv-device-mobile]").click()
    mark_frame_window(page)
    frame_loads = []
    page.on("request", lambda r: frame_loads.append(r.url) if "/preview/frame/" in r.url else None)
    page.locator("#id_title").fill("Kept across steps")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Behaviors")
    # The same frame, not loaded again, still in the state and width the author chose.
    assert frame_window_marked(page) and frame_loads == []
    expect(region.locator("#pv-state-launcher")).to_be_checked()
    expect(region.locator("#pv-device-mobile")).to_be_checked()
    expect(frame.locator("#lcw-components-chat-button")).to_contain_text("Kept across steps")
    expect(frame.locator("#lcw-header-title")).to_be_hidden()
    # The preview follows the new step's form as the author types.
    region.locator("label[for=pv-state-postchat]").click()
    page.locator("#id_postchat_enabled").check()
    page.locator("#id_survey_link_message").fill("How did we do?")
    expect(frame.locator('[data-pv-slot="survey_message"]')).to_have_text("How did we do?")


def test_a_save_after_someone_elses_draws_a_fresh_preview(page, channel):
    region, frame = open_step(page, channel)
    mark_frame_window(page)
    # Someone else saves another step: the page's frame drew the draft before that.
    channel.refresh_from_db()
    channel.data["appearance"]["subtitle"] = "Theirs"
    channel.version += 1
    channel.save()
    page.locator("#id_title").fill("Mine")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Behaviors")
    wait_ready(page, "#pv")
    assert not frame_window_marked(page)
    expect(frame.locator("#lcw-header-title")).to_have_text("Mine")


def test_the_survey_card_follows_the_questions_as_they_are_edited_and_saved(page, channel):
    channel.data["behaviors"].update(
        prechat_enabled=True,
        questions=[
            {"name": "Topic", "text": "What is it about?", "answer_type": "192350000", "required": False}
        ],
    )
    channel.save()
    region, frame = open_step(page, channel, "behaviors")
    region.locator("label[for=pv-state-prechat]").click()
    card = frame.locator(".ac-adaptiveCard")
    expect(card).to_contain_text("What is it about?")
    page.locator('[name="questions-0-text"]').fill("Which order is it?")
    expect(card).to_contain_text("Which order is it?")
    page.locator('[name="questions-0-required"]').check()
    expect(card.get_by_text("Which order is it?", exact=False).first).to_have_text(re.compile(r"\*$"))
    page.get_by_role("button", name="Add question").click()
    page.locator('[name="questions-1-name"]').fill("Store")
    page.locator('[name="questions-1-text"]').fill("Which store?")
    expect(card).to_contain_text("Which store?")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(card).to_contain_text("Which order is it?")
    expect(card).to_contain_text("Which store?")
