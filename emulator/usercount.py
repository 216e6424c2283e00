"""Bulk users for paging and load tests."""

from __future__ import annotations

from pathlib import Path

from .identity import load_identity
from .seed import ROOT_BU, _Writer, role_id
from .store import Store


def seed_users(state_dir: str | Path, count: int) -> int:
    """Add `count` users named "Load User n" with Basic User (idempotent per n)."""
    from .seed import seed
    from .server import DB_FILE

    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    identity = load_identity(state)
    store = Store(state / DB_FILE)
    seed(store, identity)
    writer = _Writer(store, identity)
    root = identity.seed_id(f"businessunit:{ROOT_BU}")
    basic = role_id(identity, ROOT_BU, "Basic User")
    with store.transaction():
        for n in range(1, count + 1):
            email = f"load.user{n:05d}@contoso.example"
            user = writer.put(
                "systemuser",
                email,
                {
                    "fullname": f"Load User {n:05d}",
                    "firstname": "Load",
                    "lastname": f"User {n:05d}",
                    "internalemailaddress": email,
                    "domainname": email,
                    "businessunitid": root,
                    "isdisabled": False,
                    "accessmode": 0,
                    "azureactivedirectoryobjectid": identity.seed_id(f"aad:{email}"),
                },
            )
            store.link("systemuserroles_association", user, basic)
    store.close()
    return count
