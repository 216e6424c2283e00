"""Listing 2,000 users with their Omnichannel roles, and a bulk assignment to 200 users, against the emulator.

Prints Web API requests (from the emulator's request log) and times; no pass/fail.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.common import setup_django, web_api_requests

USERS = 2000
BULK = 200


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(workdir)
        from django.contrib.auth import get_user_model

        from emulator import start_emulator
        from emulator.usercount import seed_users
        from portal.services import roles
        from portal.services.environments import client_for, register_emulator
        from tests.emulator_support import Knobs

        state = Path(workdir) / "emulator"
        seed_users(state, USERS)
        server = start_emulator(state, port=0)
        try:
            environment = register_emulator(server.connection, name="Bench emulator")
            knobs = Knobs(server)
            client = client_for(environment)
            client.who_am_i()  # token and connection out of the way

            for page_size in (roles.PAGE_SIZE, 1000):
                mark = knobs.last_seq()
                started = time.perf_counter()
                users = list(roles.iter_users(client, page_size=page_size))
                elapsed = time.perf_counter() - started
                count = len(web_api_requests(knobs.log(mark)))
                per_thousand = 1000 / len(users)
                print(
                    f"list {len(users)} users with roles (page size {page_size}): {count} requests, "
                    f"{elapsed:.2f} s; per 1,000 users: {count * per_thousand:.1f} requests, "
                    f"{elapsed * per_thousand:.2f} s"
                )

            targets = [u.id for u in users if u.fullname.startswith("Load User")][:BULK]
            actor = get_user_model().objects.create(username="bench")

            def assign_agent() -> roles.ChangeReport:
                return roles.change_role(
                    client,
                    environment=environment,
                    actor=actor,
                    user_ids=targets,
                    role_key="agent",
                    action="assign",
                )

            mark = knobs.last_seq()
            started = time.perf_counter()
            report = assign_agent()
            elapsed = time.perf_counter() - started
            log = web_api_requests(knobs.log(mark))
            batches = [r for r in log if r["path"].endswith("$batch")]
            print(
                f"bulk assign Omnichannel agent to {len(targets)} users: {report.done} done, {report.failed} "
                f"failed, {len(log)} requests ({len(batches)} $batch with "
                f"{sum(len(b.get('operations') or []) for b in batches)} operations), "
                f"{len(log) / len(targets):.3f} requests per user, {elapsed:.2f} s"
            )
            mark = knobs.last_seq()
            rerun = assign_agent()
            print(
                f"rerun of the same assignment: {rerun.skipped} skipped, "
                f"{len(web_api_requests(knobs.log(mark)))} requests (reads only)"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
