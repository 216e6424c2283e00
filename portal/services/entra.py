"""Sign-in with Microsoft Entra ID: msal's auth-code flow (PKCE is added by msal) and user mapping.

Portal users are matched by the Entra object id (``oid``), never by name or e-mail, and created on
first sign-in in no group; ``ENTRA_GROUP_MAP`` maps app roles or group ids in the ID token to portal
groups, which are added on every sign-in (groups given by an administrator are never taken away).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import dataverse
from portal import audit
from portal.models import EntraIdentity

logger = logging.getLogger(__name__)
MICROSOFT_AUTHORITY_HOST = "https://login.microsoftonline.com"

_apps: dict[str, Any] = {}
_lock = threading.Lock()


class SignInError(Exception):
    """A sign-in that could not be completed; the message is safe to show."""


def is_enabled() -> bool:
    return bool(
        getattr(settings, "ENTRA_CLIENT_ID", "")
        and getattr(settings, "ENTRA_TENANT_ID", "")
        and getattr(settings, "ENTRA_CLIENT_SECRET", "")
    )


def _app() -> Any:
    import msal

    host = (getattr(settings, "ENTRA_AUTHORITY_HOST", "") or MICROSOFT_AUTHORITY_HOST).rstrip("/")
    authority = f"{host}/{settings.ENTRA_TENANT_ID}"
    ca_file = getattr(settings, "ENTRA_CA_FILE", "") or None
    key = hashlib.sha256(
        repr((settings.ENTRA_CLIENT_ID, settings.ENTRA_CLIENT_SECRET, authority, ca_file)).encode()
    ).hexdigest()
    with _lock:
        app = _apps.get(key)
        if app is None:
            app = msal.ConfidentialClientApplication(
                settings.ENTRA_CLIENT_ID,
                client_credential=settings.ENTRA_CLIENT_SECRET,
                authority=authority,
                instance_discovery=host.endswith("login.microsoftonline.com"),
                # Never the CA environment variables: an explicit CA file or the default store.
                http_client=dataverse.build_session(ca_file),
            )
            _apps[key] = app
        return app


def start(redirect_uri: str) -> dict[str, Any]:
    """The msal flow (keep it in the session); redirect the browser to ``flow["auth_uri"]``."""
    try:
        return dict(
            _app().initiate_auth_code_flow(scopes=[], redirect_uri=redirect_uri, prompt="select_account")
        )
    except Exception as error:  # noqa: BLE001 - discovery or TLS failure: say so, without details of secrets
        logger.warning("Could not start the Microsoft sign-in: %s", type(error).__name__)
        raise SignInError(
            _("Microsoft sign-in is not reachable right now. Try again, or use your portal account.")
        ) from None


def finish(flow: dict[str, Any] | None, params: dict[str, str]) -> dict[str, Any]:
    """Redeem the code; returns the ID token claims or raises SignInError with a clear reason."""
    if params.get("error"):
        if params["error"] == "access_denied":
            raise SignInError(_("Sign-in was cancelled."))
        description = params.get("error_description", "")[:300]
        raise SignInError(
            _("Microsoft sign-in failed: %(reason)s") % {"reason": description or params["error"]}
        )
    if not flow:
        raise SignInError(_("The sign-in session expired or was started in another browser. Start again."))
    try:
        result = _app().acquire_token_by_auth_code_flow(flow, params)
    except ValueError:
        # msal raises ValueError when state does not match the flow it started.
        raise SignInError(
            _("The sign-in answer does not match the sign-in that was started (state mismatch). Start again.")
        ) from None
    except Exception as error:  # noqa: BLE001
        logger.warning("Microsoft sign-in could not be completed: %s", type(error).__name__)
        raise SignInError(_("Microsoft sign-in could not be completed. Try again.")) from None
    if "error" in result:
        description = str(result.get("error_description") or result["error"])[:300]
        raise SignInError(_("Microsoft sign-in failed: %(reason)s") % {"reason": description})
    claims = result.get("id_token_claims") or {}
    if not claims.get("oid"):
        raise SignInError(_("Microsoft sign-in returned no object ID for the person."))
    return dict(claims)


def _group_map() -> dict[str, str]:
    value = getattr(settings, "ENTRA_GROUP_MAP", {}) or {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def mapped_groups(claims: dict[str, Any]) -> list[str]:
    mapping = _group_map()
    names = [mapping[c] for c in [*claims.get("roles", []), *claims.get("groups", [])] if c in mapping]
    return sorted(set(names))


def _unique_username(base: str) -> str:
    user_model = get_user_model()
    base = (base or "entra-user")[:140]
    candidate, n = base, 1
    while user_model.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def user_for_claims(claims: dict[str, Any]) -> Any:
    """The portal user for this Entra person, created (in no group) on first sign-in."""
    oid = str(claims["oid"])
    with transaction.atomic():
        identity = EntraIdentity.objects.select_related("user").filter(oid=oid).first()
        created = identity is None
        if identity is None:
            name = str(claims.get("name") or "")
            first, _sep, last = name.partition(" ")
            user = get_user_model().objects.create(
                username=_unique_username(
                    str(claims.get("preferred_username") or claims.get("email") or oid)
                ),
                email=str(claims.get("email") or claims.get("preferred_username") or "")[:254],
                first_name=first[:150],
                last_name=last[:150],
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            identity = EntraIdentity.objects.create(
                user=user, oid=oid, tenant_id=str(claims.get("tid") or "")
            )
        identity.last_sign_in = timezone.now()
        identity.save(update_fields=["last_sign_in"])
        user = identity.user
        groups = mapped_groups(claims)
        if groups:
            user.groups.add(*Group.objects.filter(name__in=groups))
        if created:
            audit.record(user, "user.created_by_entra_sign_in", details={"oid": oid, "groups": groups})
    return user
