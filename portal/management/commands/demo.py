"""Create the demo accounts (author, reviewer, publisher, admin) with password ``changeme``.

Used only by ``make run``; never run it against a production database.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from portal.permissions import ADMINISTRATORS, AUTHORS, PUBLISHERS, REVIEWERS, ensure_groups

DEMO_PASSWORD = "changeme"  # noqa: S105 - demo accounts only, printed on start
DEMO_ACCOUNTS = [
    ("author", "Avery", "Author", [AUTHORS]),
    ("reviewer", "Riley", "Reviewer", [REVIEWERS]),
    ("publisher", "Parker", "Publisher", [PUBLISHERS]),
    ("admin", "Alex", "Admin", [ADMINISTRATORS, AUTHORS, REVIEWERS, PUBLISHERS]),
]


class Command(BaseCommand):
    help = "Create the demo accounts used by `make run` (password: changeme)."

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_groups()
        user_model = get_user_model()
        for username, first, last, groups in DEMO_ACCOUNTS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@contoso.example"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
            self.stdout.write(f"  {username:<10} / {DEMO_PASSWORD}   ({', '.join(groups)})")
