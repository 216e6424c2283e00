"""Environments: registering, reading credentials, building Dataverse clients, testing connections.

Changed credentials are only saved after a connection test with them passes: until then the old
credentials stay in place, so a typo in a secret or URL can never break publishing to an environment.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

import dataverse
from portal import audit, secrets
from portal.models import Environment

logger = logging.getLogger(__name__)

# Connection fields whose change must pass a connection test before it is saved.
CREDENTIAL_FIELDS = ("org_url", "tenant_id", "client_id", "authority_host", "ca_bundle")
ENV_ENVIRONMENT_NAME = "Dataverse (from environment variables)"
# For answers someone waits for on a page: one retry, ten seconds at the most.
QUICK_RETRY = dataverse.RetryPolicy(max_attempts=2, max_total_seconds=10)


def register_emulator(connection: dict[str, Any], *, name: str) -> Environment:
    """Create or update the environment that points at the local emulator described by ``connection``."""
    ca_bundle = ""
    ca_file = connection.get("ca_file")
    if ca_file:
        with open(ca_file, encoding="ascii") as handle:
            ca_bundle = handle.read()
    authority = str(connection["authority"]).rstrip("/")
    authority_host = authority.rsplit("/", 1)[0]
    environment, _ = Environment.objects.update_or_create(
        name=name,
        defaults={
            "org_url": connection["org_url"],
            "tenant_id": connection["tenant_id"],
            "client_id": connection["client_id"],
            "client_secret_encrypted": secrets.encrypt(connection["client_secret"]),
            "authority_host": authority_host,
            "ca_bundle": ca_bundle,
            "kind": Environment.Kind.EMULATOR,
            "archived": False,
        },
    )
    return environment


def environment_from_env(environ: dict[str, str] | None = None) -> Environment | None:
    """Register (or update) the environment named by DATAVERSE_URL / AZURE_TENANT_ID / AZURE_CLIENT_ID /
    AZURE_CLIENT_SECRET. Returns None when they are not all set. Called from ``runportal`` and the
    ``register_environment`` command, never at import."""
    env = os.environ if environ is None else environ
    values = {
        key: (env.get(key) or "").strip()
        for key in ("DATAVERSE_URL", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
    }
    if not all(values.values()):
        return None
    environment, _ = Environment.objects.update_or_create(
        org_url=values["DATAVERSE_URL"].rstrip("/"),
        defaults={
            "name": (env.get("DATAVERSE_ENVIRONMENT_NAME") or ENV_ENVIRONMENT_NAME).strip(),
            "tenant_id": values["AZURE_TENANT_ID"],
            "client_id": values["AZURE_CLIENT_ID"],
            "client_secret_encrypted": secrets.encrypt(values["AZURE_CLIENT_SECRET"]),
            "archived": False,
        },
    )
    return environment


# -- clients


def _ca_cache_dir() -> Path:
    configured = getattr(settings, "PORTAL_CA_CACHE_DIR", None)
    base = Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "ca-bundles"
    base.mkdir(parents=True, exist_ok=True)
    return base


def ca_file_for(pem: str) -> str | None:
    """The path of a file holding ``pem``, written once under a cache dir keyed by the PEM's hash."""
    if not pem.strip():
        return None
    digest = hashlib.sha256(pem.encode()).hexdigest()[:32]
    path = _ca_cache_dir() / f"{digest}.pem"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(pem, encoding="ascii")
        tmp.replace(path)
    return str(path)


@dataclass
class Credentials:
    """What a client needs; built from a saved environment or from a form before saving."""

    org_url: str
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    authority_host: str
    ca_bundle: str = ""
    key: str = ""

    @property
    def uses_microsoft_authority(self) -> bool:
        return self.authority_host.rstrip("/").endswith("login.microsoftonline.com")

    @classmethod
    def of(cls, environment: Environment) -> Credentials:
        return cls(
            org_url=environment.org_url,
            tenant_id=environment.tenant_id,
            client_id=environment.client_id,
            client_secret=secrets.decrypt(environment.client_secret_encrypted),
            authority_host=environment.authority_host,
            ca_bundle=environment.ca_bundle,
            key=f"env-{environment.pk}",
        )


class IncompleteCredentials(ValueError):
    """An environment without an org URL, tenant, client id or client secret; ``str()`` says which."""


def client_from(credentials: Credentials, **client_kwargs: Any) -> dataverse.DataverseClient:
    """A client for ``credentials``; raises ``IncompleteCredentials`` when a part is missing."""
    missing = [
        str(label)
        for label, value in (
            (_("Dataverse org URL"), credentials.org_url),
            (_("Tenant ID"), credentials.tenant_id),
            (_("Client ID"), credentials.client_id),
            (_("Client secret"), credentials.client_secret),
        )
        if not value
    ]
    if missing:
        raise IncompleteCredentials(
            _("The environment's settings are incomplete (%(missing)s): complete them on its page.")
            % {"missing": ", ".join(missing)}
        )
    session = dataverse.build_session(ca_file_for(credentials.ca_bundle))
    provider = dataverse.token_provider_for(
        key=credentials.key or f"candidate-{credentials.client_id}",
        tenant_id=credentials.tenant_id,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        org_url=credentials.org_url,
        authority_host=credentials.authority_host,
        instance_discovery=credentials.uses_microsoft_authority,
        session=_shared_session(credentials, session),
    )
    return dataverse.DataverseClient(credentials.org_url, provider, session=session, **client_kwargs)


_sessions: dict[str, Any] = {}


def _shared_session(credentials: Credentials, fallback: Any) -> Any:
    """One msal session per environment key and CA, so the token provider (keyed on the session) is reused."""
    marker = f"{credentials.key}:{hashlib.sha256(credentials.ca_bundle.encode()).hexdigest()}"
    session = _sessions.get(marker)
    if session is None:
        session = _sessions[marker] = fallback
    return session


def client_for(environment: Environment, **client_kwargs: Any) -> dataverse.DataverseClient:
    """A Dataverse client for a saved environment (``client_kwargs``: retry, sleep, timeout ...)."""
    return client_from(Credentials.of(environment), **client_kwargs)


# -- connection test


@dataclass
class ConnectionResult:
    ok: bool
    message: str
    organization_id: str = ""
    business_unit: str = ""
    application_user: str = ""
    user_id: str = ""

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "ok": self.ok,
            "message": self.message,
            "organization_id": self.organization_id,
            "business_unit": self.business_unit,
            "application_user": self.application_user,
        }


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "********") if secret else text


def describe_failure(error: Exception, credentials: Credentials | None = None) -> str:
    """One sentence saying exactly why the connection failed; never contains the secret."""
    secret = credentials.client_secret if credentials else ""
    if isinstance(error, (secrets.SecretUnreadable, IncompleteCredentials)):
        return str(error)
    if isinstance(error, dataverse.TransportError):
        if error.tls_failure:
            return _scrub(
                _(
                    "TLS failure: the server's certificate is not trusted (%(reason)s). Check the org URL, "
                    "or add the CA bundle of a private certificate authority."
                )
                % {"reason": error.message},
                secret,
            )
        return _scrub(_("Could not reach the server: %(reason)s") % {"reason": error.message}, secret)
    if isinstance(error, dataverse.AuthenticationError):
        code = (error.code or "").lower()
        message = error.message or str(error)
        if "Unable to get authority configuration" in message:
            prefix = _(
                "Unknown tenant, or the authority host is wrong: the sign-in authority has no such tenant."
            )
            message = ""
        elif code == "invalid_client":
            prefix = _("The client secret was rejected.")
        elif code in {"invalid_tenant", "tenant_not_found"} or "AADSTS90002" in message:
            prefix = _("Unknown tenant.")
        elif code == "unauthorized_client":
            prefix = _("Unknown client ID.")
        elif code == "invalid_resource":
            prefix = _("The org URL is not known to this tenant.")
        elif error.status == 401:
            prefix = _("Dataverse did not accept the token.")
        else:
            prefix = _("Sign-in with the app registration failed.")
        return _scrub(f"{prefix} {message}".strip(), secret)
    if isinstance(error, dataverse.PrivilegeError) or (
        isinstance(error, dataverse.DataverseError) and error.status == 403
    ):
        return _scrub(
            _(
                "No application user: the app registration is not an enabled application user in this "
                "environment (%(reason)s)"
            )
            % {"reason": getattr(error, "message", str(error))},
            secret,
        )
    if isinstance(error, dataverse.NotFoundError):
        return _scrub(
            _("The org URL does not point to a Dataverse Web API: %(reason)s") % {"reason": error.message},
            secret,
        )
    if isinstance(error, dataverse.DataverseError):
        return _scrub(str(error.message or error), secret)
    return _scrub(_("The connection test failed: %(reason)s") % {"reason": error}, secret)


def run_connection_test(credentials: Credentials) -> ConnectionResult:
    """WhoAmI, then the business unit's and the application user's names."""
    try:
        client = client_from(credentials, retry=QUICK_RETRY)
        who = client.who_am_i()
        unit = client.retrieve("businessunits", who["BusinessUnitId"], select=["name"])
        user = client.retrieve("systemusers", who["UserId"], select=["fullname"])
    except Exception as error:  # noqa: BLE001 - every failure becomes a message for the person testing
        message = describe_failure(error, credentials)
        logger.info("Connection test for %s failed: %s", credentials.org_url, message)
        return ConnectionResult(ok=False, message=message)
    return ConnectionResult(
        ok=True,
        message=_("Connected."),
        organization_id=str(who.get("OrganizationId", "")),
        business_unit=str(unit.get("name", "")),
        application_user=str(user.get("fullname", "")),
        user_id=str(who.get("UserId", "")),
    )


def test_connection(environment: Environment) -> ConnectionResult:
    try:
        credentials = Credentials.of(environment)
    except secrets.SecretUnreadable as error:
        return ConnectionResult(ok=False, message=str(error))
    return run_connection_test(credentials)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# -- create / update


@dataclass
class SaveResult:
    environment: Environment | None
    connection: ConnectionResult | None
    saved: bool
    # Why the change was refused before any connection was tried ("" when it was not).
    refusal: str = ""


def changed_credential_fields(current: Environment, data: dict[str, Any]) -> list[str]:
    return [
        name
        for name in CREDENTIAL_FIELDS
        if str(data.get(name, getattr(current, name))) != str(getattr(current, name))
    ]


def _refuse_without_secret(actor: Any, current: Environment, changed: list[str]) -> SaveResult:
    labels = ", ".join(
        str(getattr(Environment._meta.get_field(name), "verbose_name", name)) for name in changed
    )
    message = _(
        "Type the client secret again to change the %(fields)s: the secret would be sent to the new "
        "address, so changing where it goes needs the secret itself. Nothing was saved."
    ) % {"fields": labels}
    audit.record(
        actor,
        "environment.change_refused",
        environment=current,
        details={"fields": changed, "reason": "client secret not typed again"},
    )
    return SaveResult(environment=current, connection=None, saved=False, refusal=message)


def save_environment(
    *,
    actor: Any,
    data: dict[str, Any],
    new_secret: str = "",
    environment: Environment | None = None,
    require_connection: bool = True,
) -> SaveResult:
    """Create or update an environment.

    When the credentials change (a new secret, URL, tenant, client, authority or CA), they are tested
    first and saved only if the test passes; a failed test leaves the stored environment untouched.
    A change of where the secret goes (URL, tenant, client, authority or CA) without the secret typed
    again is refused and audited. Name, kind and label changes alone are saved without a test.
    """
    creating = environment is None
    current = environment or Environment()
    old_secret = ""
    if not creating and current.client_secret_encrypted:
        try:
            old_secret = secrets.decrypt(current.client_secret_encrypted)
        except secrets.SecretUnreadable:
            old_secret = ""
    secret = new_secret or old_secret
    changed = [] if creating else changed_credential_fields(current, data)
    if changed and not new_secret:
        # The stored secret never goes to an address it was not typed for.
        return _refuse_without_secret(actor, current, changed)
    changed_credentials = creating or bool(new_secret) or bool(changed)
    connection: ConnectionResult | None = None
    if changed_credentials and require_connection:
        candidate = Credentials(
            org_url=str(data.get("org_url", current.org_url)),
            tenant_id=str(data.get("tenant_id", current.tenant_id)),
            client_id=str(data.get("client_id", current.client_id)),
            client_secret=secret,
            authority_host=str(data.get("authority_host", current.authority_host)),
            ca_bundle=str(data.get("ca_bundle", current.ca_bundle) or ""),
            key=f"candidate-{current.pk or 'new'}",
        )
        if not secret:
            connection = ConnectionResult(ok=False, message=_("Enter the client secret."))
        else:
            connection = run_connection_test(candidate)
        if not connection.ok:
            return SaveResult(environment=environment, connection=connection, saved=False)
    before = {name: str(getattr(current, name)) for name in ("name", "kind", *CREDENTIAL_FIELDS)}
    with transaction.atomic():
        for name, value in data.items():
            setattr(current, name, value)
        if new_secret:
            current.client_secret_encrypted = secrets.encrypt(new_secret)
        current.save()
        after = {name: str(getattr(current, name)) for name in ("name", "kind", *CREDENTIAL_FIELDS)}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k] and k != "ca_bundle"}
        if before["ca_bundle"] != after["ca_bundle"]:
            changes["ca_bundle"] = ["…", "changed"]
        if new_secret:
            changes["client_secret"] = ["…", "replaced"]
        audit.record(
            actor,
            "environment.created" if creating else "environment.changed",
            environment=current,
            details={"changes": changes, "connection_tested": connection is not None},
        )
    return SaveResult(environment=current, connection=connection, saved=True)


def has_published_channels(environment: Environment) -> bool:
    from wizard.models import Channel, PublishAttempt

    return (
        Channel.objects.filter(environment=environment).exclude(published_revision=None).exists()
        or PublishAttempt.objects.filter(environment=environment, state="succeeded").exists()
    )


def delete_or_archive(environment: Environment, *, actor: Any) -> str:
    """Delete an environment nothing was published to; archive one with published channels (keeps history).

    Returns "deleted" or "archived".
    """
    from django.db.models import ProtectedError

    if has_published_channels(environment):
        environment.archived = True
        environment.save(update_fields=["archived", "updated_at"])
        audit.record(
            actor, "environment.archived", environment=environment, details={"name": environment.name}
        )
        return "archived"
    name = environment.name
    try:
        with transaction.atomic():
            audit.record(actor, "environment.deleted", details={"name": name, "id": environment.pk})
            environment.delete()
    except ProtectedError:
        environment.archived = True
        environment.save(update_fields=["archived", "updated_at"])
        audit.record(actor, "environment.archived", environment=environment, details={"name": name})
        return "archived"
    return "deleted"


def restore(environment: Environment, *, actor: Any) -> None:
    """Make an archived environment active again."""
    environment.archived = False
    environment.save(update_fields=["archived", "updated_at"])
    audit.record(actor, "environment.restored", environment=environment, details={"name": environment.name})
