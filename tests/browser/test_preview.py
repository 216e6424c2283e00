"""The live widget preview in Chromium: typing, position, states, hostile input, snippet builder."""

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.conftest import SCREENSHOTS, sign_in
from wizard.models import PublishAttempt, Revision
from wizard.preview import STATES

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def channel(db):
    author = factories.author(username="author")
    return factories.ChannelFactory(owner=author)


def open_step(page, channel, slug="appearance"):
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/steps/{slug}/")
    return page.get_by_role("region", name="Widget preview")


def shoot(locator, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def wait_for_fragment(page, action):
    with page.expect_response(lambda r: r.url.endswith("/preview/") and r.request.method == "POST"):
        action()


def test_typing_in_title_updates_preview_and_keeps_focus(page, channel):
    preview = open_step(page, channel)
    title = page.locator("#id_title")
    title.fill("")
    title.focus()
    wait_for_fragment(page, lambda: page.keyboard.type("Hello Contoso", delay=20))
    slot = preview.locator('[data-pv-slot="title"]')
    page.wait_for_timeout(150)
    assert slot.inner_text() == "Hello Contoso"
    assert page.evaluate("document.activeElement.name") == "title"
    assert page.evaluate("document.activeElement.selectionStart") == len("Hello Contoso")
    page.keyboard.press("Home")
    page.keyboard.type(">")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.selectionStart") == 1  # caret stays where it was
    assert slot.inner_text() == ">Hello Contoso"


def test_position_moves_the_launcher_and_theme_changes_colour(page, channel):
    preview = open_step(page, channel)
    launcher = preview.locator(".pv-launcher")
    right = launcher.bounding_box()["x"]
    wait_for_fragment(page, lambda: page.locator('[name="widget_position"][value="192236011"]').check())
    launcher.wait_for()  # the fragment swap may still be settling under load
    left = launcher.bounding_box()["x"]
    assert left < right - 100
    page.get_by_label("Red", exact=True).check()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#pv-body .pv-header')).backgroundColor"
        " === 'rgb(186, 30, 39)'",
        timeout=2000,
    )


def test_states_can_be_switched_and_screenshotted(page, channel):
    channel.data["behaviors"].update(
        prechat_enabled=True,
        postchat_enabled=True,
        questions=[
            {
                "name": f"Q{i}",
                "text": f"Question {i}: " + "tell us more " * 8,
                "answer_type": t,
                "options": "Sales;Support",
                "required": i % 2 == 0,
            }
            for i, t in enumerate(["192350000", "192350001", "192350002", "192350003", "192350004"] * 2)
        ],
    )
    channel.data["appearance"].update(
        operating_hours_only=True,
        show_offline_widget=True,
        reconnect_enabled=True,
        reconnect_time_limit="30",
        proactive_chat=True,
        logo_url="",
    )
    channel.data["features"].update(
        attachments_customers=True,
        transcript_download=True,
        notify_sound=True,
        notify_unread_count=True,
        calling="192350001",
    )
    channel.save()
    preview = open_step(page, channel, "features")
    expectations = {
        "launcher": ".pv-launcher",
        "open": ".pv-msg.pv-customer",
        "offline": ".pv-offline .pv-title",
        "prechat": ".pv-question",
        "postchat": ".pv-link",
        "reconnect": ".pv-prompt",
        "proactive": ".pv-invite",
    }
    for value, label in STATES:
        preview.get_by_text(str(label), exact=True).click()
        assert preview.locator(expectations[value]).first.is_visible(), value
        if value != "open":
            assert not preview.locator(".pv-msg.pv-customer").first.is_visible()
        shoot(preview, f"preview-{value}")
    assert (
        preview.locator('[data-pv-feature="video"]').is_visible() is False
    )  # header hidden in proactive state
    preview.get_by_text("Chat open", exact=True).click()
    for feature in ("video", "voice", "transcript", "sound", "attach"):
        assert preview.locator(f'[data-pv-feature="{feature}"]').is_visible(), feature
    preview.get_by_text("Mobile", exact=True).click()
    assert preview.locator(".pv-host").bounding_box()["width"] <= 322
    shoot(preview, "preview-mobile")


def test_hostile_input_runs_nothing_and_loads_nothing(page, channel, live_server):
    dialogs, foreign = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    own_host = urlsplit(live_server.url).netloc
    page.on(
        "request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in ("", own_host) else None
    )
    preview = open_step(page, channel)
    for name in ("title", "subtitle"):
        page.locator(f"#id_{name}").fill(XSS)
    page.locator("#id_anonymize_agent").check()
    page.locator("#id_generic_agent_name").fill(XSS)
    wait_for_fragment(page, lambda: page.locator("#id_logo_url").fill("javascript:alert(3)"))
    page.wait_for_timeout(300)
    assert preview.locator('[data-pv-slot="title"]').inner_text() == XSS
    assert XSS in preview.locator(".pv-name").first.inner_text()
    assert preview.locator("img[data-pv-logo]").count() == 0
    assert preview.locator('[data-check="logo_not_https"]').is_visible()
    wait_for_fragment(
        page, lambda: page.locator("#id_logo_url").fill("data:image/svg+xml,<svg onload=alert(4)>")
    )
    wait_for_fragment(page, lambda: page.locator("#id_logo_url").fill("http://example.com/logo.png"))
    page.wait_for_timeout(300)
    assert preview.locator("img[data-pv-logo]").count() == 0
    assert dialogs == [] and foreign == []


def test_snippet_builder_and_copy(page, channel):
    author = channel.owner
    revision = Revision.objects.create(
        channel=channel, number=1, data=channel.data, content_hash="x", created_by=author
    )
    PublishAttempt.objects.create(
        channel=channel,
        revision=revision,
        environment=factories.EnvironmentFactory(),
        requested_by=author,
        state="succeeded",
        widget_app_id="app-1",
        finished_at=timezone.now(),
        widget_snippet='<script v2 id="Microsoft_Omnichannel_LCWidget" src="https://cdn.example/x.js" '
        'data-app-id="app-1" data-org-id="org-1" data-org-url="https://org.example"></script>',
    )
    sign_in(page, "author")
    page.goto(f"/channels/{channel.pk}/")
    code = page.get_by_label("Embed code")
    assert 'data-app-id="app-1"' in code.input_value()
    page.get_by_label("Hide the chat button").check()
    page.get_by_label("Colour override").fill("#123456")
    assert 'data-hide-chat-button="true"' in code.input_value()
    assert 'data-color-override="#123456"' in code.input_value()
    preview = page.get_by_role("region", name="Widget preview")
    assert not preview.locator(".pv-launcher").is_visible()
    page.get_by_role("button", name="Copy").click()
    page.wait_for_function("document.querySelector('[data-copy-status]').textContent !== ''")
