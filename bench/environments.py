"""Import and drift benchmark: 100 chat widgets made in a local emulator org are imported as channels,
then the 100 channels are checked for drift (10 of them changed in the org).

``python -m bench.environments [count]`` prints, for the import and for the drift check, Web API requests
per channel (from the emulator's request log) and time per channel, the latter also as a ratio to a floor
measured in the same run: one single-row retrieve through the same client.
"""

from __future__ import annotations

import sys
import tempfile
import time

from bench.common import p50, setup_django, timed, web_api_requests


def main(count: int = 100) -> None:
    setup_django()
    from emulator import start_emulator
    from portal.services.environments import register_emulator
    from publishing.services import drift, imports
    from tests import factories
    from tests.emulator_support import Knobs
    from tests.publishing.org import org_widget, writes

    server = start_emulator(tempfile.mkdtemp(prefix="studio-bench-emulator-"), port=0)
    try:
        knobs = Knobs(server)
        environment = register_emulator(dict(server.connection), name="Local Dataverse (emulator)")
        user = factories.publisher(username="bench-publisher")
        widget_ids = [org_widget(knobs.client, f"Bench widget {n:03d}") for n in range(count)]

        floor = p50(
            timed(
                lambda: knobs.client.retrieve("msdyn_livechatconfigs", widget_ids[0], select=["msdyn_name"]),
                50,
            )
        )

        seq = knobs.last_seq()
        started = time.perf_counter()
        listed = imports.list_widgets(environment)
        list_seconds = time.perf_counter() - started
        list_requests = len(web_api_requests(knobs.log(seq)))

        seq = knobs.last_seq()
        started = time.perf_counter()
        results = imports.import_widgets(environment, widget_ids, user)
        import_seconds = time.perf_counter() - started
        import_log = knobs.log(seq)
        imported = [result.channel for result in results if result.channel is not None]

        for wid in widget_ids[:10]:
            knobs.client.update("msdyn_livechatconfigs", wid, {"msdyn_widgettitle": "Changed in the org"})
        seq = knobs.last_seq()
        started = time.perf_counter()
        drifted = sum(1 for channel in imported if drift.check(channel, user).drifted)
        check_seconds = time.perf_counter() - started
        check_log = knobs.log(seq)

        per_import = import_seconds / count * 1000
        per_check = check_seconds / count * 1000
        print(
            f"environments: listing {len(listed)} widgets: {list_requests} Web API requests, {list_seconds * 1000:.0f} ms"
        )
        print(
            f"import: {len(imported)}/{count} widgets, {len(web_api_requests(import_log)) / count:.2f} Web API "
            f"requests per channel, {per_import:.1f} ms per channel = {per_import / floor:.1f}x a single-row "
            f"retrieve ({floor:.2f} ms); {len(writes(import_log))} writes"
        )
        print(
            f"drift check: {count} channels, {drifted} drifted, {len(web_api_requests(check_log)) / count:.2f} "
            f"Web API requests per channel, {per_check:.1f} ms per channel = {per_check / floor:.1f}x a "
            f"single-row retrieve; {len(writes(check_log))} writes"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
