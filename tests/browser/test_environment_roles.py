"""An administrator gives Omnichannel roles in the browser; an author can't open the page."""

from __future__ import annotations

import pytest

from portal.services import roles
from portal.services.environments import client_for, register_emulator
from tests.browser.conftest import screenshot, sign_in
from tests.factories import administrator, author

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = ["Avery Author", "Riley Reviewer", "Parker Publisher"]


def holders(environment, role_name):
    return {u.fullname for u in roles.iter_users(client_for(environment)) if u.holds(role_name)}


def test_assign_and_remove_by_visible_labels(page, emulator):  # noqa: F811
    environment = register_emulator(emulator.connection, name="Local Dataverse (emulator)")
    administrator(username="admin")
    sign_in(page, "admin")
    page.get_by_role("link", name="Environments").click()
    page.get_by_role("link", name="Local Dataverse (emulator)").click()
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Connection works.").wait_for()
    page.get_by_role("link", name="Omnichannel security roles").first.click()
    for name in PEOPLE:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Role", exact=True).select_option(label="Omnichannel agent")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_text("3 changed, 0 skipped, 0 failed.").wait_for()
    assert set(PEOPLE) <= holders(environment, roles.AGENT)

    page.get_by_label("Taylor Teamwork", exact=True).check()
    page.get_by_label("Role", exact=True).select_option(label="Omnichannel administrator")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.get_by_text("1 changed, 0 skipped, 0 failed.").wait_for()
    assert "Taylor Teamwork" in holders(environment, roles.ADMINISTRATOR)
    screenshot(page, "environment-roles")

    for name in PEOPLE:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Role", exact=True).select_option(label="Omnichannel agent")
    page.get_by_role("button", name="Remove", exact=True).click()
    page.get_by_text("3 changed, 0 skipped, 0 failed.").wait_for()
    assert not set(PEOPLE) & holders(environment, roles.AGENT)
    page.get_by_label("Taylor Teamwork", exact=True).check()
    page.get_by_label("Role", exact=True).select_option(label="Omnichannel administrator")
    page.get_by_role("button", name="Remove", exact=True).click()
    page.get_by_text("1 changed, 0 skipped, 0 failed.").wait_for()


def test_author_cannot_open_roles_page(page, emulator):  # noqa: F811
    environment = register_emulator(emulator.connection, name="Local Dataverse (emulator)")
    author(username="author")
    sign_in(page, "author")
    response = page.goto(f"/environments/{environment.pk}/roles/")
    assert response.status == 403
