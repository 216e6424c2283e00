"""Per-state-directory identity: tenant, app registrations, JWT signing key and stable seed ids."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

IDENTITY_FILE = "identity.json"
SIGNING_KEY_FILE = "jwt-signing-key.pem"


@dataclass
class Identity:
    tenant_id: str
    client_id: str
    client_secret: str
    signin_client_id: str
    signin_client_secret: str
    namespace: str
    signing_key: rsa.RSAPrivateKey
    kid: str

    def seed_id(self, name: str) -> str:
        """A GUID that is stable for this state directory and differs between directories."""
        return str(uuid.uuid5(uuid.UUID(self.namespace), name))


def load_identity(state_dir: Path) -> Identity:
    path = state_dir / IDENTITY_FILE
    key_path = state_dir / SIGNING_KEY_FILE
    if path.exists() and key_path.exists():
        data = json.loads(path.read_text())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    else:
        data = {
            "tenant_id": str(uuid.uuid4()),
            "client_id": str(uuid.uuid4()),
            "client_secret": secrets.token_urlsafe(30),
            "signin_client_id": str(uuid.uuid4()),
            "signin_client_secret": secrets.token_urlsafe(30),
            "namespace": str(uuid.uuid4()),
            "kid": secrets.token_hex(16),
        }
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        state_dir.mkdir(parents=True, exist_ok=True)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_path.chmod(0o600)
        path.write_text(json.dumps(data, indent=2))
        path.chmod(0o600)
    assert isinstance(key, rsa.RSAPrivateKey)
    return Identity(signing_key=key, **data)
