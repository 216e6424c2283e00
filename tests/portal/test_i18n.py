import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import ChannelFactory, author

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_english():
    """A Korean request leaves Korean active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


def test_wizard_labels_are_translated_to_korean(client):
    user = author()
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    html = client.get(
        reverse("wizard:step", args=[channel.pk, "appearance"]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "채팅 위젯" in html and "테마 색상" in html and "다음" in html
    # What the page says while a text is past its limit, with the numbers portal.js fills in.
    assert 'data-too-long-message="이 텍스트를 최대 %(limit)d자로 줄이세요(현재 %(length)d자이며' in html
    assert "도메인: 최대 50개." in html  # the row limit beside the add button
    html = client.get(
        reverse("wizard:step", args=[channel.pk, "appearance"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Theme color" in html


def test_language_can_be_switched(client):
    client.force_login(author())
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/channels/"})
    assert response.status_code == 302
    assert "채팅 채널" in client.get("/channels/").content.decode()


def test_the_sign_in_page_offers_the_language_menu_and_it_works_before_sign_in(client):
    page = client.get(reverse("login")).content.decode()
    assert 'id="language-select"' in page and 'action="/i18n/setlang/"' in page
    response = client.post(reverse("set_language"), {"language": "ko", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="ko"' in page and '<option value="ko" selected>' in page


# --- the Korean catalogue is complete ------------------------------------------------------------------

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "ko" / "LC_MESSAGES"


def _missing(po):
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_every_korean_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert len(po) > 700
    assert _missing(po) == []


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po if e.translated()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo if e.msgid}
    assert compiled == expected, "run: python manage.py compilemessages -l ko"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext")
def test_every_message_in_the_source_is_in_the_catalogue(tmp_path):
    """A string added to the code or templates without a Korean translation fails here."""
    root = Path(__file__).resolve().parents[2]
    for name in ("portal", "wizard", "templates", "locale"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            call_command("makemessages", locale=["ko"], no_obsolete=True, verbosity=0)
        finally:
            os.chdir(cwd)
    po = polib.pofile(str(tmp_path / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    assert _missing(po) == [], "translate these in locale/ko/LC_MESSAGES/django.po"


def test_ambiguous_admin_center_terms_are_explained_under_their_fields(client):
    user = author()
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    html = client.get(
        reverse("wizard:step", args=[channel.pk, "appearance"]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    # 직함 is the admin center's word for the widget title, but also a person's job title.
    assert "직함" in html and "사람의 직함이 아닙니다" in html
    # 사전 채팅 is proactive chat, not the pre-conversation survey.
    assert "사전 채팅" in html and "대화 전 설문과는 다른 기능" in html
