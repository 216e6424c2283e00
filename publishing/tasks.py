"""Background tasks (django-tasks): immediate in development and tests, the database worker in production."""

from __future__ import annotations

from django_tasks import task


@task()
def publish_channel(attempt_id: int) -> str:
    """Publish one attempt's revision; returns the attempt's final state."""
    from publishing.services.publish import run_publish

    return run_publish(attempt_id).state


@task()
def publish_scheduled(scheduled_id: int) -> str:
    """Run a scheduled publish when its time comes; returns the schedule's state."""
    from publishing.services.schedule import run

    return run(scheduled_id).state
