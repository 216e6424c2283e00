"""Keys the portal needs outside its database: read from the environment, refused when weak.

In production every key comes from an environment variable. Outside production a missing key is
generated once, on first run, into ``var/keys/<name>.key`` (a file only its owner can read), so no key
is ever written in the settings or the repository. Nothing here imports Django: the settings module
calls it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_LENGTH = 32
MIN_DISTINCT = 12


class WeakKeyError(ValueError):
    """A configured key is too short or too repetitive to protect anything; ``str()`` says how to fix it."""


def weakness(value: str) -> str | None:
    """Why ``value`` is too weak to be a key (``None`` when it is acceptable)."""
    if len(value) < MIN_LENGTH:
        return f"it has {len(value)} characters; use at least {MIN_LENGTH}"
    if len(set(value)) < MIN_DISTINCT:
        return f"it uses only {len(set(value))} different characters; use a random value"
    return None


def generate() -> str:
    return secrets.token_urlsafe(48)


def _local_file(directory: Path, name: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.key"
    if not path.exists():
        # Exclusive create: two processes starting at once keep the one key the first wrote.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(generate())
    return path.read_text(encoding="ascii").strip()


def key(variable: str, *, name: str, production: bool, directory: Path) -> str:
    """The key in ``variable``; outside production a generated one in ``directory`` when it is unset.

    Raises ``WeakKeyError`` for a key that is set but weak, and for a missing key in production.
    """
    value = os.environ.get(variable, "")
    if not value:
        if production:
            raise WeakKeyError(
                f"Set {variable}: production needs a long random value (for example the output of "
                f'python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        return _local_file(directory, name)
    reason = weakness(value)
    if reason:
        raise WeakKeyError(f"{variable} is too weak: {reason}.")
    return value
