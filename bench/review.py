"""Review page and audit log page: SQL queries and render time.

    python -m bench.review

Uses Django's test client in-process against a temporary SQLite database. The review page renders a
channel with 10 survey questions, 20 domains and 10 automated messages against a published revision;
the floor is a view that renders only ``base.html`` behind the same middleware, measured the same way.
"""

from __future__ import annotations

import tempfile
from typing import Any

from bench.common import count_queries, p50, setup_django, timed

RUNS = 40


def _channel_data(title: str) -> dict[str, Any]:
    from tests.factories import complete_data

    return complete_data(
        appearance={
            "title": title,
            "domains_only": True,
            "domains": [{"domain": f"shop{i}.contoso.example"} for i in range(20)],
        },
        behaviors={
            "prechat_enabled": True,
            "questions": [
                {
                    "name": f"Q{i}",
                    "text": f"Question {i}?",
                    "answer_type": "192350000",
                    "options": "",
                    "required": True,
                }
                for i in range(10)
            ],
            "messages": [{"trigger": "192350017", "text": f"Message {i}"} for i in range(10)],
        },
    )


def _measure(client: Any, url: str) -> tuple[int, float, int]:
    client.get(url)  # warm up templates and caches
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return queries[0], p50(timed(lambda: client.get(url), RUNS, warmup=0)), len(response.content)


def bench_review(client: Any, reviewer: Any) -> None:
    from tests import factories
    from wizard.models import ChannelStatus, PublishAttempt, Revision
    from wizard.services.workflow import content_hash

    author = factories.author(username="bench-author")
    published = _channel_data("Chat with Contoso")
    current = _channel_data("Talk to Contoso")
    current["appearance"]["domains"][3] = {"domain": "changed.contoso.example"}
    current["behaviors"]["questions"].pop(5)
    environment = factories.EnvironmentFactory()
    channel = factories.ChannelFactory(
        owner=author, data=current, status=ChannelStatus.IN_REVIEW, environment=environment
    )
    old = Revision.objects.create(
        channel=channel,
        number=1,
        data=published,
        content_hash=content_hash(published),
        created_by=author,
        state=Revision.State.PUBLISHED,
        approved_hash=content_hash(published),
        reviewed_by=reviewer,
    )
    Revision.objects.create(
        channel=channel,
        number=2,
        data=current,
        content_hash=content_hash(current),
        created_by=author,
        editor_ids=[author.pk],
    )
    channel.published_revision = old
    channel.save()
    # Revision 1 is live in the channel's environment: the review page diffs against it.
    PublishAttempt.objects.create(
        channel=channel, revision=old, environment=environment, requested_by=reviewer, state="succeeded"
    )
    client.force_login(reviewer)
    floor_queries, floor_ms, _ = _measure(client, "/bench/floor/")
    queries, review_ms, size = _measure(client, f"/channels/{channel.pk}/review/")
    print(f"review page (10 questions, 20 domains, 10 messages): {queries} SQL queries (budget 12)")
    print(
        f"  render p50 {review_ms:.1f} ms vs floor (base.html) p50 {floor_ms:.1f} ms "
        f"= {review_ms / floor_ms:.2f}x (target 2x); floor {floor_queries} queries; page {size // 1024} KiB"
    )


def bench_audit(client: Any) -> None:
    from portal.models import AuditEntry
    from tests import factories

    client.force_login(factories.administrator(username="bench-admin"))
    AuditEntry.objects.all().delete()
    total = 0
    for target in (100, 100_000):
        batch = []
        for i in range(total, target):
            batch.append(
                AuditEntry(actor_name=f"user{i % 7}", action=f"bench.event{i % 5}", entry_hash=f"{i:064x}")
            )
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        total = target
        for label, url in (
            ("first page", "/audit/"),
            ("filtered, deep page", f"/audit/?action=bench.event3&before={target // 2}"),
        ):
            queries, ms, _ = _measure(client, url)
            print(f"audit log {label} with {target:>7,} entries: {queries} SQL queries, p50 {ms:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from django.test import Client

        from tests import factories

        reviewer = factories.reviewer(username="bench-reviewer")
        client = Client()
        bench_review(client, reviewer)
        bench_audit(client)


if __name__ == "__main__":
    main()
