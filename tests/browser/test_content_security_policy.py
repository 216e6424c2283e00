"""The pages work under the content security policy: nothing they load is refused."""

import pytest

from portal import permissions
from tests.browser.conftest import sign_in
from tests.factories import ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_page_loads_anything_the_policy_refuses(page):
    user = UserFactory(username="everyone", groups=list(permissions.GROUP_PERMISSIONS))
    channel = ChannelFactory(owner=user)
    refused = []
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    sign_in(page, "everyone")
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
