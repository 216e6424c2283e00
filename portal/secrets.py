"""Encrypting secrets kept in the database (environment client secrets).

The key comes from ``PORTAL_SECRETS_KEY`` (a long random string; a Fernet key is derived from it with
SHA-256); outside production one is generated into ``var/keys/`` on first run (``portal.local_keys``).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret can't be decrypted: the key changed. Replace the secret."""


def _fernet() -> Fernet:
    material = settings.PORTAL_SECRETS_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "The stored client secret can't be read with the current PORTAL_SECRETS_KEY. "
            "Replace the secret on the environment's page."
        ) from error
