"""Wizard step GET/POST and the channel list, against the floor view (`python -m bench.wizard`)."""

from __future__ import annotations

from bench.common import count_queries, p50, report, setup_django, signed_in_client, timed_together

REPEAT = 100


def main() -> None:
    setup_django()
    from portal.permissions import AUTHORS
    from wizard.models import Channel
    from wizard.services import drafts

    client, user = signed_in_client("bench-author", [AUTHORS])
    channel = drafts.create_draft(user)
    url = f"/channels/{channel.pk}/steps/appearance/"

    values = {
        k: v for k, v in channel.data["appearance"].items() if v not in (False, None) and k != "domains"
    }
    version = [channel.version]

    def post_step() -> None:
        # Each save bumps the version by one; the page the author posts from carries the current one.
        client.post(url, dict(values, version=version[0], nav="save", **{"domains-TOTAL_FORMS": "0"}))
        version[0] += 1
        # A browser follows the redirect, which shows and clears the "Draft saved." message.
        client.cookies.pop("messages", None)

    # In turn: the floor, a save, the first view of the saved step (its form is rendered afresh), and a
    # second view of the same version (the rendered form of an unchanged draft version is reused).
    samples = timed_together(
        {
            "floor": lambda: client.get("/bench/floor/"),
            "post": post_step,
            "get_after_save": lambda: client.get(url),
            "get_again": lambda: client.get(url),
        },
        REPEAT,
    )
    floor = samples["floor"]

    def ratio(key: str) -> str:
        return f"{p50(samples[key]):.2f} ms  ({p50(samples[key]) / p50(floor):.2f}x floor; target ≤ 1.5x)"

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
            ("step GET p50, first view after a save", ratio("get_after_save")),
            ("step GET p50, unchanged draft", ratio("get_again")),
            ("step POST p50", ratio("post")),
            ("SQL queries, step GET", f"{get_queries[0]} (target ≤ 8)"),
            ("SQL queries, step POST", f"{post_queries[0]} (target ≤ 8)"),
            ("step page HTML", f"{html_kb:.1f} KB (target < 60 KB)"),
            ("SQL queries, channel list at 10 / 1,000 channels", f"{list_counts[10]} / {list_counts[1000]}"),
        ],
    )


if __name__ == "__main__":
    main()
