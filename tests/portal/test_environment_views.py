"""Environment and roles pages: permissions, secrets, Test connection, saving, role changes."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from portal import secrets
from portal.models import AuditEntry, Environment
from portal.services.environments import environment_from_env, register_emulator
from tests.factories import EnvironmentFactory, administrator, author, publisher, reviewer

pytestmark = pytest.mark.django_db

ENV_PAGES = [
    ("get", "environments:list", False),
    ("get", "environments:new", False),
    ("get", "environments:detail", True),
    ("post", "environments:test", True),
    ("post", "environments:delete", True),
    ("post", "environments:restore", True),
    ("get", "environments:roles", True),
    ("post", "environments:roles_change", True),
]


@pytest.mark.parametrize("make_user", [author, reviewer, publisher])
@pytest.mark.parametrize(("method", "name", "with_pk"), ENV_PAGES)
def test_non_administrators_get_403(client, make_user, method, name, with_pk):
    environment = EnvironmentFactory()
    client.force_login(make_user())
    url = reverse(name, args=[environment.pk] if with_pk else [])
    assert getattr(client, method)(url).status_code == 403
    assert Environment.objects.filter(pk=environment.pk, archived=False).exists()


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse("environments:list")).status_code == 302


@pytest.mark.parametrize(
    ("name", "with_pk"),
    [("environments:list", False), ("environments:new", False), ("environments:detail", True)],
)
def test_administrator_opens_pages(client, name, with_pk):
    environment = EnvironmentFactory()
    client.force_login(administrator())
    url = reverse(name, args=[environment.pk] if with_pk else [])
    assert client.get(url).status_code == 200


def test_secret_never_rendered_or_logged(client, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    environment = register_emulator(emulator.connection, name="Emu")
    secret = emulator.connection["client_secret"]
    client.force_login(administrator())
    pages = [
        client.get(reverse("environments:detail", args=[environment.pk])),
        client.post(reverse("environments:test", args=[environment.pk]), follow=True),
        client.get(reverse("environments:roles", args=[environment.pk])),
        client.get(reverse("environments:list")),
    ]
    for page in pages:
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert environment.client_secret_encrypted not in page.content.decode()
    assert "Connection works" in pages[1].content.decode()
    assert secret not in caplog.text
    assert 'name="client_secret"' in pages[0].content.decode()
    assert "Replace secret" in pages[0].content.decode()


def _form(environment, **changes):
    data = {
        "name": environment.name,
        "kind": environment.kind,
        "org_url": environment.org_url,
        "tenant_id": environment.tenant_id,
        "client_id": environment.client_id,
        "authority_host": environment.authority_host,
        "ca_bundle": environment.ca_bundle,
        "client_secret": "",
    }
    data.update(changes)
    return data


def test_wrong_secret_is_refused_and_old_one_kept(client, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    environment = register_emulator(emulator.connection, name="Emu")
    before = environment.client_secret_encrypted
    client.force_login(administrator())
    response = client.post(
        reverse("environments:detail", args=[environment.pk]),
        _form(environment, client_secret="wrong-secret-value-123"),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "The client secret was rejected" in text and "AADSTS7000215" in text
    assert "wrong-secret-value-123" not in text and "wrong-secret-value-123" not in caplog.text
    environment.refresh_from_db()
    assert environment.client_secret_encrypted == before


def test_unknown_tenant_and_untrusted_ca_are_explained(client, emulator, tmp_path):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    url = reverse("environments:detail", args=[environment.pk])
    secret = emulator.connection["client_secret"]
    text = client.post(
        url, _form(environment, tenant_id="00000000-0000-0000-0000-0000000000ff", client_secret=secret)
    ).content.decode()
    assert "Unknown tenant" in text
    other_ca = _self_signed_ca()
    text = client.post(url, _form(environment, ca_bundle=other_ca, client_secret=secret)).content.decode()
    assert "TLS failure" in text and "certificate" in text
    environment.refresh_from_db()
    assert environment.tenant_id == emulator.connection["tenant_id"]


def _self_signed_ca() -> str:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some other CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_no_application_user_is_explained(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    store = emulator.store
    app_user = next(u for u in store.all("systemuser") if u.get("accessmode") == 4)
    store.put("systemuser", app_user["systemuserid"], {**app_user, "isdisabled": True})
    try:
        response = client.post(reverse("environments:test", args=[environment.pk]), follow=True)
    finally:
        store.put("systemuser", app_user["systemuserid"], {**app_user, "isdisabled": False})
    assert "No application user" in response.content.decode()


def test_name_change_saves_without_secret_and_audits(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    response = client.post(
        reverse("environments:detail", args=[environment.pk]), _form(environment, name="Emu renamed")
    )
    assert response.status_code == 302
    environment.refresh_from_db()
    assert environment.name == "Emu renamed"
    assert AuditEntry.objects.filter(action="environment.changed", environment=environment).exists()


def test_a_ca_bundle_posted_with_browser_line_endings_is_unchanged(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    assert environment.ca_bundle.strip()
    client.force_login(administrator())
    posted = _form(environment, name="Emu renamed", ca_bundle=environment.ca_bundle.replace("\n", "\r\n"))
    response = client.post(reverse("environments:detail", args=[environment.pk]), posted)
    assert response.status_code == 302, response.context["form"].errors
    environment.refresh_from_db()
    assert environment.name == "Emu renamed" and "\r" not in environment.ca_bundle


def test_add_environment_tests_before_saving(client, emulator):
    connection = emulator.connection
    client.force_login(administrator())
    data = {
        "name": "New emu",
        "kind": "test",
        "org_url": connection["org_url"],
        "tenant_id": connection["tenant_id"],
        "client_id": connection["client_id"],
        "authority_host": connection["authority"].rsplit("/", 1)[0],
        "ca_bundle": open(connection["ca_file"]).read(),
        "client_secret": connection["client_secret"],
    }
    response = client.post(reverse("environments:new"), data)
    assert response.status_code == 302
    environment = Environment.objects.get(name="New emu")
    assert secrets.decrypt(environment.client_secret_encrypted) == connection["client_secret"]
    bad = client.post(reverse("environments:new"), {**data, "name": "Bad", "client_secret": "nope-secret-42"})
    assert bad.status_code == 200 and not Environment.objects.filter(name="Bad").exists()
    # The refused page says the secret must be typed again, and doesn't send it back.
    text = bad.content.decode()
    assert "The secret you typed is not shown again, for safety: type it again before you save." in text
    assert "nope-secret-42" not in text


def test_environment_with_published_channel_is_archived_not_deleted(client):
    from tests.factories import ChannelFactory
    from wizard.models import Revision

    environment = EnvironmentFactory()
    channel = ChannelFactory(environment=environment)
    fields = {f.name for f in Revision._meta.get_fields()}
    revision = Revision.objects.create(
        channel=channel,
        number=1,
        data=channel.data,
        created_by=channel.owner,
        **({"content_hash": "x" * 64} if "content_hash" in fields else {}),
    )
    channel.published_revision = revision
    channel.save()
    client.force_login(administrator())
    client.post(reverse("environments:delete", args=[environment.pk]))
    environment.refresh_from_db()
    assert environment.archived
    unused = EnvironmentFactory()
    client.post(reverse("environments:delete", args=[unused.pk]))
    assert not Environment.objects.filter(pk=unused.pk).exists()


def test_environment_from_env():
    assert environment_from_env({}) is None
    environment = environment_from_env(
        {
            "DATAVERSE_URL": "https://contoso.crm.dynamics.com/",
            "AZURE_TENANT_ID": "t",
            "AZURE_CLIENT_ID": "c",
            "AZURE_CLIENT_SECRET": "s3cret",
        }
    )
    assert environment.org_url == "https://contoso.crm.dynamics.com"
    assert secrets.decrypt(environment.client_secret_encrypted) == "s3cret"


def test_roles_page_lists_and_changes_roles(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    url = reverse("environments:roles", args=[environment.pk])
    page = client.get(url).content.decode()
    assert "Taylor Teamwork" in page and "through team Contoso Support Team" in page
    assert "Dana Departed" not in page
    from portal.services import roles
    from portal.services.environments import client_for

    dv = client_for(environment)
    taylor = next(u for u in roles.iter_users(dv) if u.fullname == "Taylor Teamwork")
    response = client.post(
        reverse("environments:roles_change", args=[environment.pk]),
        {"assign_directly": f"{taylor.id}:agent"},
        follow=True,
    )
    text = response.content.decode()
    assert "1 changed" in text
    assert next(u for u in roles.iter_users(dv) if u.fullname == "Taylor Teamwork").holds(roles.AGENT)
    client.post(
        reverse("environments:roles_change", args=[environment.pk]),
        {"users": [taylor.id], "role": "agent", "remove": "1"},
    )
    assert not next(u for u in roles.iter_users(dv) if u.fullname == "Taylor Teamwork").holds(roles.AGENT)


def test_the_chosen_role_stays_chosen_after_a_change(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    from portal.services import roles
    from portal.services.environments import client_for

    taylor = next(u for u in roles.iter_users(client_for(environment)) if u.fullname == "Taylor Teamwork")
    response = client.post(
        reverse("environments:roles_change", args=[environment.pk]),
        # Removing a role Taylor does not hold changes nothing in the org the other tests share.
        {"users": [taylor.id], "role": "supervisor", "remove": "1", "return": "?q=Taylor&role=agent"},
    )
    assert response.status_code == 302
    assert (
        "role=supervisor" in response.url and "q=Taylor" in response.url and "role=agent" not in response.url
    )
    page = client.get(response.url)
    assert page.context["form"]["role"].value() == "supervisor"


def test_roles_page_paging_keeps_next_link_in_session(client, emulator, monkeypatch):
    from portal.services import roles

    monkeypatch.setattr(roles, "PAGE_SIZE", 3)
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    url = reverse("environments:roles", args=[environment.pk])
    first = client.get(url)
    next_url = first.context["next_url"]
    assert "skiptoken" not in next_url and "127.0.0.1" not in next_url
    second = client.get(url + next_url)
    assert {u.id for u in first.context["users"]}.isdisjoint({u.id for u in second.context["users"]})
    assert client.get(url + "?page=forged").context["users"][0].id == first.context["users"][0].id


def test_checklist_fragment(client, emulator):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(author())
    response = client.get(
        reverse("environments:checklist", args=[environment.pk]), {"queue": "Default messaging queue"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "At least one Omnichannel administrator" in text and "Fallback queue has members" in text
    unreachable = EnvironmentFactory(
        org_url="https://127.0.0.1:9", client_secret_encrypted=secrets.encrypt("x")
    )
    text = client.get(reverse("environments:checklist", args=[unreachable.pk])).content.decode()
    assert "could not be reached" in text


def test_channel_page_includes_the_checklist(client):
    from tests.factories import ChannelFactory

    environment = EnvironmentFactory()
    channel = ChannelFactory(environment=environment)
    client.force_login(author())
    text = client.get(reverse("wizard:channel", args=[channel.pk])).content.decode()
    assert reverse("environments:checklist", args=[environment.pk]) in text


def test_restoring_an_archived_environment_is_audited(client):
    environment = EnvironmentFactory(archived=True)
    client.force_login(administrator(username="restorer"))
    client.post(reverse("environments:restore", args=[environment.pk]))
    environment.refresh_from_db()
    assert not environment.archived
    entry = AuditEntry.objects.get(action="environment.restored")
    assert (entry.environment_id, entry.actor_name) == (environment.pk, "restorer")


def test_a_new_environment_with_a_wrong_secret_is_not_added(client, emulator):
    from portal.models import Environment

    template = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    response = client.post(
        reverse("environments:new"),
        _form(template, name="Contoso test org", client_secret="wrong-secret-value-123"),
    )
    text = response.content.decode()
    assert "Not added: the connection test failed" in text and "enter the client secret again" in text
    assert not Environment.objects.filter(name="Contoso test org").exists()


def test_register_environment_command(monkeypatch, db):
    from django.core.management import CommandError, call_command

    from portal.models import Environment

    for key in ("DATAVERSE_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(CommandError, match="Set DATAVERSE_URL"):
        call_command("register_environment")
    monkeypatch.setenv("DATAVERSE_URL", "https://contoso.crm.dynamics.com/")
    monkeypatch.setenv("AZURE_TENANT_ID", "00000000-0000-0000-0000-0000000000aa")
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-shown")
    call_command("register_environment")
    environment = Environment.objects.get(org_url="https://contoso.crm.dynamics.com")
    assert environment.client_secret_encrypted and "not-shown" not in environment.client_secret_encrypted


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tenant_id", "not a guid <b>", "directory (tenant) ID"),
        ("tenant_id", "", "This field is required"),
        ("client_id", "x", "application (client) ID"),
        ("client_id", "51f81489-12ee-4a9e-aaae", "application (client) ID"),
        ("org_url", "https://contoso.crm.dynamics.com/path?x=1", "without a path"),
        ("org_url", "https://user:pw@contoso.crm.dynamics.com", "without a path"),
        ("org_url", "javascript:alert(1)", "such as https://contoso.crm.dynamics.com"),
        ("authority_host", "https://login.microsoftonline.com/common", "without a path"),
    ],
)
def test_a_new_environment_with_malformed_settings_says_what_to_enter(client, field, value, message):
    client.force_login(administrator())
    data = {
        "name": "Contoso test",
        "kind": "test",
        "org_url": "https://contoso.crm.dynamics.com",
        "tenant_id": "contoso.onmicrosoft.com",
        "client_id": "51f81489-12ee-4a9e-aaae-a2591f45987d",
        "authority_host": "https://login.microsoftonline.com",
        "ca_bundle": "",
        "client_secret": "typed-secret",
        field: value,
    }
    response = client.post(reverse("environments:new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert "&lt;b&gt;" in response.content.decode() or "<b>" not in value
    assert not Environment.objects.exists()


def test_environment_fields_say_their_limit_and_keep_a_text_past_it(client):
    client.force_login(administrator())
    page = client.get(reverse("environments:new")).content.decode()
    assert "maxlength" not in page
    assert (
        'data-too-long-message="Shorten this text to at most %(limit)d characters (it has %(length)d)."'
        in page
    )
    assert 'name="name" data-max-length="100" data-count-characters' in page
    name = "Contoso <b>production</b> " + "x" * 100
    response = client.post(
        reverse("environments:new"),
        {
            "name": name,
            "kind": "test",
            "org_url": "https://contoso.crm.dynamics.com",
            "tenant_id": "contoso.onmicrosoft.com",
            "client_id": "51f81489-12ee-4a9e-aaae-a2591f45987d",
            "authority_host": "https://login.microsoftonline.com",
            "client_secret": "typed-secret",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": [f"Shorten this text to at most 100 characters (it has {len(name)})."]
    }
    page = response.content.decode()
    assert 'value="Contoso &lt;b&gt;production&lt;/b&gt; ' + "x" * 100 + '"' in page
    assert not Environment.objects.exists()
