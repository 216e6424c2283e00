"""Publishing benchmark: 100 channels published one after another to a local emulator.

``python -m bench.publish [count]`` prints channels per second, Web API requests per publish (from
the emulator's request log), the ratio of the portal's total time to the emulator's own request
time, and the emulator's single-row retrieve p50.
"""

from __future__ import annotations

import sys
import tempfile
import time

from bench.common import p50, setup_django, timed, web_api_requests


def main(count: int = 100) -> None:
    setup_django()
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from emulator import start_emulator
    from portal.services.environments import register_emulator
    from publishing.services import publish
    from tests import factories
    from tests.emulator_support import Knobs
    from tests.publishing.helpers import FULL, approved_channel
    from wizard.models import PublishAttempt

    server = start_emulator(tempfile.mkdtemp(prefix="studio-bench-emulator-"), port=0)
    try:
        knobs = Knobs(server)
        environment = register_emulator(dict(server.connection), name="Local Dataverse (emulator)")
        user = factories.publisher(username="bench-publisher")
        channels = [approved_channel(environment, **FULL) for _ in range(count)]
        seq = knobs.last_seq()

        started = time.perf_counter()
        for channel in channels:
            publish.request_publish(channel, user)
        elapsed = time.perf_counter() - started

        states = list(PublishAttempt.objects.values_list("state", flat=True))
        log = knobs.log(seq)
        api = web_api_requests(log)
        token_requests = len(log) - len(api)
        emulator_ms = sum(float(entry["ms"]) for entry in log)

        # Single-row retrieve, measured client-side through the same client (warm token).
        widget_id = PublishAttempt.objects.filter(state="succeeded").first().result["widget_id"]

        def retrieve() -> None:
            knobs.client.retrieve("msdyn_livechatconfigs", widget_id, select=["msdyn_name"])

        samples = timed(retrieve, 200, warmup=0)
        seq_before = knobs.last_seq()
        for _ in range(50):
            retrieve()
        server_ms = [float(entry["ms"]) for entry in web_api_requests(knobs.log(seq_before))]

        print(
            f"publish: {count} channels in {elapsed:.2f} s = {count / elapsed:.1f} channels/s "
            f"({states.count('succeeded')} succeeded, {states.count('failed')} failed)"
        )
        print(
            f"publish: {len(api) / count:.2f} Web API requests per publish "
            f"(read $batch + write $batch + read-back), {token_requests} token/discovery requests in total"
        )
        print(
            f"publish: portal total {elapsed * 1000:.0f} ms / emulator request time {emulator_ms:.0f} ms "
            f"= {elapsed * 1000 / emulator_ms:.2f}x"
        )
        print(
            f"emulator: single-row retrieve p50 {p50(server_ms):.2f} ms in the emulator, "
            f"{p50(samples):.2f} ms round trip through the client"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
