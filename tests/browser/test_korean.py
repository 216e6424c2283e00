"""The Korean UI has no English left on home, the channel page, the audit log and the environment pages.

Everything on these pages that is not data (names people gave, product names, codes) must be Korean.
"""

import re

import pytest

from portal import audit
from tests.browser.conftest import screenshot
from tests.factories import ChannelFactory, EnvironmentFactory, UserFactory
from wizard.services import workflow

pytestmark = pytest.mark.django_db(transaction=True)

# Names and codes that stay as they are in the Korean admin center too.
ALLOWED = {
    "Dataverse",
    "Microsoft",
    "Entra",
    "Customer",
    "Voice",
    "Copilot",
    "Studio",
    "Omnichannel",
    "Dynamics",
    "Power",
    "Platform",
    "URL",
    "ID",
    "CSV",
    "JSON",
    "PEM",
    "CA",
    "API",
    "WhoAmI",
    "TLS",
    "https",
    "English",
    "access",  # the Dataverse role "Omnichannel API access" keeps its name
}


def english_left(page, data: list[str]) -> list[str]:
    text = page.evaluate(
        """() => {
          const main = document.body.cloneNode(true);
          main.querySelectorAll('script, style, template, noscript, code, [hidden]').forEach(el => el.remove());
          return main.innerText;
        }"""
    )
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+", " ", text)
    return sorted({word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in ALLOWED})


@pytest.fixture
def korean(new_context):
    context = new_context(locale="ko-KR", extra_http_headers={"Accept-Language": "ko"})
    return context.new_page()


def sign_in_ko(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("changeme")
    page.locator("form:has(#id_password) button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_korean_pages_have_no_english_left(korean):
    page = korean
    from portal import permissions

    admin = UserFactory(
        username="admin",
        first_name="관리",
        last_name="자",
        groups=[
            permissions.ADMINISTRATORS,
            permissions.AUTHORS,
            permissions.REVIEWERS,
            permissions.PUBLISHERS,
        ],
    )
    channel = ChannelFactory(owner=admin, name="콘토소 지원 채팅")
    channel.data["details"]["name"] = "콘토소 지원 채팅"
    channel.save()
    workflow.submit(channel, admin, "검토 부탁드립니다")
    draft = ChannelFactory(
        owner=admin,
        name="콘토소 초안",
        visited_steps=["details", "workstream", "appearance", "behaviors", "features"],
    )
    draft.data["details"]["name"] = "콘토소 초안"
    draft.data["behaviors"].update(
        prechat_enabled=True,
        questions=[
            {
                "name": "Name",
                "text": "성함이 어떻게 되세요?",
                "answer_type": "192350000",
                "options": "",
                "required": True,
            }
        ],
    )
    draft.save()
    environment = EnvironmentFactory(name="콘토소 테스트")
    type(channel).objects.filter(pk=channel.pk).update(environment=environment)
    audit.record(
        admin,
        "roles.assigned",
        environment=environment,
        details={"user": "김민지", "email": "minji@contoso.example", "role": "Omnichannel agent"},
    )
    # The draft's values (typed by an author, here in English) and the question names Dataverse
    # matches on are data, not UI; so is the sample agent name the preview shows.
    typed = [value for step in draft.data.values() for value in step.values() if isinstance(value, str)]
    data = [
        *typed,
        "Name",
        "Email",
        "Phone",
        "CaseNumber",
        "Jordan Lee",
        "admin",
        "콘토소",
        environment.org_url,
        environment.tenant_id,
        environment.client_id,
        "minji@contoso.example",
        "Omnichannel agent",
    ]
    sign_in_ko(page, "admin")
    pages = {
        "home": "/",
        "channels": "/channels/",
        "channel": f"/channels/{channel.pk}/",
        "audit-log": "/audit/",
        "environments": "/environments/",
        "environment": f"/environments/{environment.pk}/",
        "environment-new": "/environments/new/",
        "review": f"/channels/{channel.pk}/review/",
    }
    for slug in ("details", "workstream", "appearance", "behaviors", "features", "review"):
        pages[f"step-{slug}"] = f"/channels/{draft.pk}/steps/{slug}/"
    found = {}
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "ko"
        screenshot(page, f"ko-{name}")
        words = english_left(page, data)
        if words:
            found[name] = words
    assert found == {}, repr(found)
