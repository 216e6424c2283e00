"""Every page at 1440 px and 390 px wide: written as PNGs to tests/browser/screenshots/ (not committed)
to be looked at, and checked for what a screenshot shows at a glance: one h1, nothing wider than the
window at phone width, the decision box of the review page in the first screen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from portal import audit
from portal.services.environments import register_emulator
from publishing.services import publish
from tests.browser.conftest import screenshot, sign_in
from tests.emulator_support import unique_environment_pk
from tests.factories import ChannelFactory, UserFactory, reviewer
from tests.publishing.helpers import FULL, approved_channel
from wizard.models import Channel, Revision
from wizard.services import workflow
from wizard.steps import STEP_SLUGS

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": 1440, "phone": 390}


def _pages(emulator) -> dict[str, str]:
    from portal import permissions

    admin = UserFactory(
        username="admin",
        first_name="Alex",
        last_name="Admin",
        groups=[permissions.ADMINISTRATORS, permissions.AUTHORS, permissions.PUBLISHERS],
    )
    reviewer(username="reviewer")
    environment = unique_environment_pk(
        register_emulator(dict(emulator.connection), name="Local Dataverse (emulator)")
    )
    draft = ChannelFactory(owner=admin, environment=environment, visited_steps=list(STEP_SLUGS))
    draft.data["details"]["environment"] = str(environment.pk)
    draft.data["behaviors"].update(
        prechat_enabled=True,
        questions=[
            {
                "name": "Name",
                "text": "What is your name?",
                "answer_type": "192350000",
                "options": "",
                "required": True,
            },
            {
                "name": "Topic",
                "text": "What is it about?",
                "answer_type": "192350002",
                "options": "Sales;Support",
                "required": False,
            },
        ],
        messages=[{"trigger": "192350017", "text": "An agent will be with you shortly."}],
    )
    draft.data["appearance"].update(domains_only=True, domains=[{"domain": "www.contoso.com"}])
    draft.save()
    # In review after a round of "Request changes".
    in_review = ChannelFactory(
        owner=admin, name="Contoso returns", environment=environment, editor_ids=[admin.pk]
    )
    in_review.data["details"]["environment"] = str(environment.pk)
    in_review.save()
    first = workflow.submit(in_review, admin, "First try")
    Revision.objects.filter(pk=first.pk).update(state=Revision.State.CHANGES_REQUESTED)
    Channel.objects.filter(pk=in_review.pk).update(status="changes_requested")
    in_review.refresh_from_db()
    in_review.data["appearance"]["title"] = "Returns and refunds"
    in_review.save()
    workflow.submit(in_review, admin, "Title changed as asked")
    # Sent back with a comment holding a word longer than any window: it wraps instead of widening the page.
    long_word = "Please-rename-" + "x" * 300
    # Its name, as long as a name may be, has no place to break a line either.
    sent_back = ChannelFactory(owner=admin, name="ContosoSentBack" + "W" * 85, environment=environment)
    sent_back.data["details"]["environment"] = str(environment.pk)
    sent_back.save()
    sent_back_revision = workflow.submit(sent_back, admin, "")
    Revision.objects.filter(pk=sent_back_revision.pk).update(
        state=Revision.State.CHANGES_REQUESTED,
        review_comment=long_word,
        reviewed_by=User.objects.get(username="reviewer"),
    )
    Channel.objects.filter(pk=sent_back.pk).update(status="changes_requested")
    audit.record(admin, "revision.changes_requested", channel=sent_back, comment=long_word)
    published = approved_channel(environment, **FULL)
    publish.request_publish(published, admin)  # the immediate task backend publishes at once
    audit.record(
        admin,
        "roles.assigned",
        environment=environment,
        details={"user": "Avery Author", "email": "avery@contoso.example", "role": "Omnichannel agent"},
    )
    pages = {"home": "/", "channels": "/channels/", "channel-new": "/channels/new/"}
    for slug in STEP_SLUGS:
        pages[f"step-{slug}"] = f"/channels/{draft.pk}/steps/{slug}/"
    pages.update(
        {
            "channel-draft": f"/channels/{draft.pk}/",
            "channel-published": f"/channels/{published.pk}/",
            "channel-sent-back": f"/channels/{sent_back.pk}/",
            "step-sent-back": f"/channels/{sent_back.pk}/steps/details/",
            "channel-delete": f"/channels/{draft.pk}/delete/",
            "review": f"/channels/{in_review.pk}/review/?against=published",
            "review-since-sent-back": f"/channels/{in_review.pk}/review/",
            "compare": f"/channels/{in_review.pk}/revisions/compare/?a=1&b=2",
            "environments": "/environments/",
            "environment": f"/environments/{environment.pk}/",
            "environment-new": "/environments/new/",
            "roles": f"/environments/{environment.pk}/roles/",
            "audit-log": "/audit/",
            "import": f"/channels/import/?environment={environment.pk}",
            "promote": f"/channels/{published.pk}/promote/",
            "compare-environments": f"/channels/environments/compare/?channel={published.pk}",
            "not-found": "/channels/999999/",
        }
    )
    return pages


def test_every_page_at_desktop_and_phone_width(new_context, emulator):
    pages = _pages(emulator)
    problems = []
    for device, width in WIDTHS.items():
        context = new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto("/accounts/login/")
        screenshot(page, f"{device}-login")
        sign_in(page, "admin")
        for name, url in pages.items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"{device}-{name}")
            if page.locator("h1").count() != 1:
                problems.append(f"{device} {name}: {page.locator('h1').count()} h1")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                problems.append(f"{device} {name}: {overflow}px wider than the window")
            if device == "desktop" and name == "channels":
                # However long a channel's name, its row's buttons are in sight without scrolling the table.
                hidden = page.evaluate(
                    """() => [...document.querySelectorAll("tbody tr .btn")].filter(
                        (b) => b.getBoundingClientRect().right > b.closest(".table-responsive")
                            .getBoundingClientRect().right + 1).length"""
                )
                if hidden:
                    problems.append(f"{device} {name}: {hidden} row buttons out of sight")
        context.close()
        # The reviewer's decision is in the first screen at desktop width.
        reviewer_page = new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in(reviewer_page, "reviewer")
        reviewer_page.goto(pages["review"])
        screenshot(reviewer_page, f"{device}-review-as-reviewer")
        box = reviewer_page.locator("#h-decision").bounding_box()
        if device == "desktop" and (box is None or box["y"] > 900):
            problems.append(f"{device} review: the decision box starts at {box and box['y']}px")
        # 403 in the portal's layout.
        reviewer_page.goto("/audit/")
        screenshot(reviewer_page, f"{device}-forbidden")
    assert problems == [], "\n".join(problems)
