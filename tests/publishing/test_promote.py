"""Promotion to another environment through the binding map (two emulator orgs: default and test)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.models import AuditEntry
from publishing import mapping
from publishing.models import BindingChoice
from publishing.services import promote, publish
from tests import factories
from tests.publishing.helpers import FULL, approve_revision, approved_channel
from wizard.models import ChannelStatus, PublishAttempt

pytestmark = pytest.mark.django_db


def test_unresolved_binding_blocks_and_writes_nothing(emulator_environment, test_environment, test_knobs):
    channel = approved_channel(emulator_environment, **FULL)
    seq = test_knobs.last_seq()
    with pytest.raises(promote.PromotionBlocked) as blocked:
        promote.request_promotion(channel, test_environment, factories.publisher())
    unresolved = {item.slot: item for item in blocked.value.unresolved}
    # "Contoso portal sign-in" is named "Contoso test portal sign-in" in the test org.
    assert set(unresolved) == {"authentication_settings"}
    assert "Contoso test portal sign-in" in [
        name for _id, name in unresolved["authentication_settings"].candidates
    ]
    log = test_knobs.log(seq)
    assert log, "the promotion read the target"
    assert all(str(entry["method"]).upper() == "GET" for entry in log if "token" not in str(entry["path"])), (
        log
    )
    assert not PublishAttempt.objects.filter(channel=channel).exists()


def test_promotion_binds_by_name_and_remembered_choice(
    emulator_environment, test_environment, test_knobs, no_sleep
):
    channel = approved_channel(emulator_environment, **FULL)
    user = factories.publisher()
    source_before = channel.status
    with pytest.raises(promote.PromotionBlocked) as blocked:
        promote.request_promotion(channel, test_environment, user)
    auth = blocked.value.unresolved[0]
    pick = next(row_id for row_id, name in auth.candidates if name == "Contoso test portal sign-in")
    revision = promote.revision_to_promote(channel)
    bound = promote.bindings(revision, emulator_environment, test_environment)
    promote.remember(emulator_environment, test_environment, bound, {"authentication_settings": pick}, user)
    assert BindingChoice.objects.get(slot="authentication_settings").row_name == "Contoso test portal sign-in"

    attempt = promote.request_promotion(channel, test_environment, user)
    assert attempt.state == "succeeded", (attempt.error_message, attempt.failed_operation)
    assert attempt.environment_id == test_environment.pk
    widget = test_knobs.client.retrieve(
        "msdyn_livechatconfigs", mapping.widget_id(channel.pk, test_environment.pk)
    )
    assert widget["msdyn_widgettitle"] == "Chat with Contoso"
    hours = next(
        iter(test_knobs.client.query("msdyn_operatinghours", filter="msdyn_name eq 'Business hours'"))
    )
    assert widget["_msdyn_operatinghourid_value"] == hours["msdyn_operatinghourid"]
    assert widget["_msdyn_authsettingsid_value"].lower() == pick.lower()
    channel.refresh_from_db()
    assert channel.status == source_before == ChannelStatus.APPROVED  # its own environment is untouched
    assert AuditEntry.objects.filter(action="promotion.requested", channel=channel).exists()
    assert AuditEntry.objects.filter(action="publish.succeeded", environment=test_environment).exists()

    # Repeatable: promoting again writes nothing new.
    again = promote.request_promotion(channel, test_environment, user)
    assert again.state == "succeeded"
    assert again.result["upserts"] == 0 and again.result["deletes"] == 0


def test_promotion_needs_publisher(emulator_environment, test_environment):
    channel = approved_channel(emulator_environment, **FULL)
    with pytest.raises(Exception) as denied:
        promote.request_promotion(channel, test_environment, factories.author())
    assert type(denied.value).__name__ == "PermissionDenied"


def test_promotion_to_own_environment_refused(emulator_environment):
    channel = approved_channel(emulator_environment, **FULL)
    with pytest.raises(promote.PromotionError):
        promote.request_promotion(channel, emulator_environment, factories.publisher())


def test_promote_page_blocks_then_promotes_with_the_pick(
    client, emulator_environment, test_environment, test_knobs, no_sleep
):
    channel = approved_channel(emulator_environment, **FULL)
    client.force_login(factories.publisher())
    url = reverse("publishing:promote", args=[channel.pk])
    page = client.get(url, {"environment": test_environment.pk}).content.decode()
    assert "Contoso test portal sign-in" in page and 'name="pick_authentication_settings"' in page
    # Each row is named by its kind; the values as a person reads them (a language by its name, not its locale id).
    heads = re.findall(r'<th scope="row">([^<]*)</th>', page)
    assert "Language" in heads and "Operating hours" in heads, heads
    assert "<td>Korean</td>" in page and "<td>1042</td>" not in page and "“1042”" not in page
    assert "Row for Authentication settings “Contoso portal sign-in”" in page
    seq = test_knobs.last_seq()
    blocked = client.post(url, {"environment": test_environment.pk})
    assert blocked.status_code == 200
    assert 'id="promotion-blocked"' in blocked.content.decode()
    assert all(
        str(e["method"]).upper() == "GET" for e in test_knobs.log(seq) if "token" not in str(e["path"])
    )
    assert not PublishAttempt.objects.filter(channel=channel).exists()
    pick = next(
        b
        for b in promote.bindings(
            promote.revision_to_promote(channel), emulator_environment, test_environment
        )
        if b.slot == "authentication_settings"
    ).candidates
    row_id = next(i for i, name in pick if name == "Contoso test portal sign-in")
    done = client.post(url, {"environment": test_environment.pk, "pick_authentication_settings": row_id})
    assert done.status_code == 302 and done["Location"] == channel.get_absolute_url()
    attempt = PublishAttempt.objects.get(channel=channel, environment=test_environment)
    assert attempt.state == "succeeded", attempt.error_message


def test_promote_page_refuses_authors_and_bad_input(client, emulator_environment, test_environment):
    channel = approved_channel(emulator_environment, **FULL)
    url = reverse("publishing:promote", args=[channel.pk])
    client.force_login(factories.author())
    assert client.get(url).status_code == 403
    assert client.post(url, {"environment": test_environment.pk}).status_code == 403
    client.force_login(factories.publisher())
    assert client.get(url, {"environment": "javascript:alert(1)"}).status_code == 404
    assert client.get(url, {"environment": "9" * 30}).status_code == 404
    assert client.get(url, {"environment": emulator_environment.pk}).status_code == 404  # not another one
    assert (
        client.post(
            url, {"environment": test_environment.pk, "pick_authentication_settings": "<x>"}
        ).status_code
        == 200
    )
    assert not PublishAttempt.objects.filter(channel=channel).exists()


def test_compare_environments_shows_live_revisions_and_differences(
    client, emulator_environment, test_environment, test_knobs, no_sleep
):
    channel = approved_channel(emulator_environment, **FULL)
    user = factories.publisher()
    publish.request_publish(channel, user)
    BindingChoice.objects.create(
        source=emulator_environment,
        target=test_environment,
        slot="authentication_settings",
        source_value="Contoso portal sign-in",
        row_id=next(
            i
            for b in promote.bindings(
                promote.revision_to_promote(channel), emulator_environment, test_environment
            )
            if b.slot == "authentication_settings"
            for i, n in b.candidates
            if n == "Contoso test portal sign-in"
        ),
        row_name="Contoso test portal sign-in",
    )
    assert promote.request_promotion(channel, test_environment, user).state == "succeeded"
    changed = {**FULL, "appearance": {**FULL["appearance"], "title": "<script>New title</script>"}}
    approve_revision(
        channel,
        factories.complete_data(**changed)
        | {"details": {**FULL["details"], "environment": str(emulator_environment.pk)}},
    )
    channel.refresh_from_db()
    assert publish.request_publish(channel, user)[0].state == "succeeded"

    client.force_login(factories.author())
    page = client.get(reverse("publishing:compare_environments")).content.decode()
    assert "Revision 2" in page and "Revision 1" in page
    detail = client.get(
        reverse("publishing:compare_environments"),
        {"channel": channel.pk, "a": test_environment.pk, "b": emulator_environment.pk},
    ).content.decode()
    assert "Chat with Contoso" in detail and "&lt;script&gt;New title&lt;/script&gt;" in detail
    assert "<script>New title" not in detail
    assert client.get(reverse("publishing:compare_environments"), {"channel": "x"}).status_code == 404
