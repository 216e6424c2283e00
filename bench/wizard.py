"""Wizard step GET/POST and the channel list, against the floor view (`python -m bench.wizard`)."""

from __future__ import annotations

from bench.common import count_queries, floor_samples, p50, report, setup_django, signed_in_client, timed

REPEAT = 60


def main() -> None:
    setup_django()
    from portal.permissions import AUTHORS
    from wizard.models import Channel
    from wizard.services import drafts

    client, user = signed_in_client("bench-author", [AUTHORS])
    channel = drafts.create_draft(user)
    url = f"/channels/{channel.pk}/steps/appearance/"

    def post_step() -> None:
        fresh = Channel.objects.only("version").get(pk=channel.pk)
        values = {
            k: v for k, v in fresh.data["appearance"].items() if v not in (False, None) and k != "domains"
        }
        client.post(url, dict(values, version=fresh.version, nav="save", **{"domains-TOTAL_FORMS": "0"}))

    floor = floor_samples(client, REPEAT)
    step_get = timed(lambda: client.get(url), REPEAT)
    step_post = timed(post_step, REPEAT)
    with count_queries() as get_queries:
        response = client.get(url)
    html_kb = len(response.content) / 1024
    fresh = Channel.objects.get(pk=channel.pk)
    with count_queries() as post_queries:
        client.post(
            url,
            {
                "version": fresh.version,
                "title": "Bench",
                "theme_color": "19236002",
                "agent_display_name": "192350000",
                "widget_position": "192236010",
                "nav": "save",
            },
        )

    list_counts = {}
    for total in (10, 1000):
        existing = Channel.objects.count()
        Channel.objects.bulk_create(
            Channel(owner=user, last_editor=user, name=f"Bench {i}", data={}) for i in range(total - existing)
        )
        with count_queries() as list_queries:
            client.get("/channels/")
        list_counts[total] = list_queries[0]

    report(
        "Wizard step requests (Django test client, in-process)",
        [
            ("floor (base template) p50", f"{p50(floor):.2f} ms"),
            (
                "step GET p50",
                f"{p50(step_get):.2f} ms  ({p50(step_get) / p50(floor):.2f}x floor; target ≤ 1.5x)",
            ),
            (
                "step POST p50",
                f"{p50(step_post):.2f} ms  ({p50(step_post) / p50(floor):.2f}x floor; target ≤ 1.5x)",
            ),
            ("SQL queries, step GET", f"{get_queries[0]} (target ≤ 8)"),
            ("SQL queries, step POST", f"{post_queries[0]} (target ≤ 8)"),
            ("step page HTML", f"{html_kb:.1f} KB (target < 60 KB)"),
            ("SQL queries, channel list at 10 / 1,000 channels", f"{list_counts[10]} / {list_counts[1000]}"),
        ],
    )


if __name__ == "__main__":
    main()
