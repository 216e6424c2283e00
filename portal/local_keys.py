"""Keys the portal needs outside its database: read from the environment, refused when weak.

In production every key comes from an environment variable. Outside production a missing key is
generated once, on first run, into ``var/keys/<name>.key`` (a file only its owner can read), so no key
is ever written in the settings or the repository. Nothing here imports Django: the settings module
calls it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
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
    """The key in ``directory/<name>.key``, written there first if missing.

    Processes that start at once (the portal and its task worker, two test runs) each write a whole key
    into a private file of their own and link it into place: the first link wins and the others read that
    key. A file created empty and written afterwards would let a second process read an empty key."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.key"
    if not path.exists():
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(generate())  # mkstemp made it readable by its owner only
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process's key is in place: use it
        finally:
            os.unlink(temporary)
    value = path.read_text(encoding="ascii").strip()
    if weakness(value):
        raise WeakKeyError(
            f"The key file {path} is empty or damaged: delete it and start again (a new key is made), or "
            "set the key in the environment."
        )
    return value


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
