"""The wizard step page: show a step, save it, move between steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from portal.caching import renderings
from portal.http import AuthenticatedRequest
from portal.models import Environment
from portal.permissions import CHANGE_CHANNEL, VIEW_CHANNEL, permission_required
from portal.prepared import PreparedQuery
from wizard import signed_out
from wizard.forms.problem_links import problem_links
from wizard.models import Channel
from wizard.services import actions, drafts, merge, workflow
from wizard.services.rows import apply_row_action
from wizard.steps import FORM_STEPS, STEPS, Step, get_step, next_step, previous_step
from wizard.summary import StepForms, iter_entries
from wizard.validators import TOO_LONG
from wizard.values import read

# What a step page shows. The published revision is read only to check or draw a step, which a cached
# rendering spares: it is loaded when first read (one more query, for a channel published before).
PAGE_RELATED = ("environment", "last_editor")
# What the step form's htmx requests swap; answered with the step page without the site's frame.
STEP_TARGET = "step-page"
HTMX_FRAME = "wizard/steps/htmx_frame.html"
# The message of a refused Next carries this tag: the step page shows it as its error summary.
REFUSED_TAG = "step-problems"
REVIEW_CACHE_SECONDS = 3600  # as the templates' {% cache %} of rendered forms and the review summary


def _answers_htmx(request: AuthenticatedRequest) -> bool:
    return bool(request.htmx) and request.htmx.target == STEP_TARGET


# Every step request reads its channel: with SQL compiled once (portal.prepared), with or without the
# rows the page shows beside it.
def _channel_query(related: tuple[str, ...]) -> PreparedQuery[Channel]:
    return PreparedQuery(
        Channel, lambda pk: Channel.objects.select_related(*related).filter(pk=pk).order_by()
    )


_CHANNELS: dict[tuple[str, ...], PreparedQuery[Channel]] = {
    related: _channel_query(related) for related in ((), PAGE_RELATED)
}


def _channel(pk: int, related: tuple[str, ...] = ()) -> Channel:
    found = _CHANNELS[related].get(pk)
    if found is None:
        raise Http404("No channel has this number.")
    return found


def _related(request: AuthenticatedRequest) -> tuple[str, ...]:
    if request.method == "POST" and not _answers_htmx(request):
        return ()  # a save needs the draft row only; the pages shown after a refused save load the rest
    # A save from htmx is answered with the next page, which shows the environment and the last editor.
    return PAGE_RELATED


@permission_required(VIEW_CHANNEL)
def resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    return redirect("wizard:step", channel.pk, channel.current_step)


@permission_required(VIEW_CHANNEL)
def step_view(request: AuthenticatedRequest, pk: int, slug: str) -> HttpResponse:
    step = get_step(slug)
    channel = _channel(pk, _related(request))
    if request.method == "POST":
        if not step.has_form:
            return HttpResponseNotAllowed(
                ["GET"],
                content=_(
                    "The review step has nothing to save. Submit the channel with “Submit for review” on "
                    "this page."
                ),
            )
        if not request.user.has_perm(CHANGE_CHANNEL):
            raise PermissionDenied(_("You may view this channel but not change it."))
        return _post(request, channel, step)
    if channel.current_step != slug and request.user.has_perm(CHANGE_CHANNEL) and channel.is_editable:
        drafts.move_to(channel, slug)
    if step.has_form and actions.can_edit(channel, request.user):
        posted = signed_out.take(request)
        if posted is not None:
            return _restore(request, channel, step, posted)
    if not step.has_form:
        return _render(request, channel, step, submit_comment=_take_refused_comment(request, channel.pk))
    return _render(request, channel, step)


def _restore(request: AuthenticatedRequest, channel: Channel, step: Step, posted: Any) -> HttpResponse:
    """The step's form as it was posted after the session had ended: not saved, with the version and
    base it was opened with, so that saving it merges with (or is refused against) later saves."""
    assert step.form_class is not None
    try:
        version = int(posted.get("version", ""))
    except ValueError:
        version = channel.version
    messages.warning(
        request,
        _(
            "These are the changes you made before you were signed out. They are not saved yet: check them, then save."
        ),
    )
    form = drafts.bind_form(channel, step, step.form_class.values_from_post(posted))
    base = posted.get("base", "")
    return _render(request, channel, step, form=form, started_version=version, base_token=base)


def _render(
    request: AuthenticatedRequest,
    channel: Channel,
    step: Step,
    *,
    form: Any = None,
    status: int = 200,
    conflict: drafts.StaleDraftError | None = None,
    started_version: int | None = None,
    base_token: str | None = None,
    keep_panel: bool = False,
    unsaved: dict[str, Any] | None = None,
    submit_comment: dict[str, str] | None = None,
) -> HttpResponse:
    """The step page; ``keep_panel``: the page being swapped already shows this draft's preview, which
    htmx keeps (frame, state and width) instead of drawing it again; ``unsaved``: a save refused as the
    channel can't be edited now, ``{"message": why, "rows": [ConflictRow, ...]}``; ``submit_comment``:
    on the review step, a comment Submit refused, ``{"value": as typed, "error": why}``."""
    choices = drafts.choices_for(channel)
    reachable = drafts.reachable_steps(channel)
    can_edit = actions.can_edit(channel, request.user)
    context: dict[str, Any] = {
        "channel": channel,
        "step": step,
        "step_url": reverse("wizard:step", args=[channel.pk, step.slug]),
        "step_number": STEPS.index(step) + 1,
        "steps": STEPS,
        "reachable": reachable,
        "unreached": any(item.slug not in reachable for item in STEPS),
        # The step list draws the same for the same step, reachable steps and rights, in every channel.
        "nav_cache_key": f"{drafts.code_digest()}:{step.slug}:{','.join(sorted(reachable))}:{can_edit}",
        "previous": previous_step(step.slug),
        "next": next_step(step.slug),
        "conflict": conflict,
        "unsaved": unsaved,
        "started_version": started_version,
        "can_edit": can_edit,
        "choice_notes": _choice_notes(choices),
        "submit_comment": submit_comment,
    }
    if step.has_form:
        context["too_long_message"] = TOO_LONG
        added = request.GET.get("added", "")
        if form is None and added and step.form_class and added in {r.name for r in step.form_class.row_sets}:
            # A row just added without JavaScript: shown blank, its errors wait until the author acts.
            form = drafts.bind_form(channel, step, choices=choices)
            form.hush_row(added, len(form.rows[added].forms) - 1)
        if form is None:
            # Built only when the cached rendering of the form is missing.
            shown_key = drafts.shown_step_key(channel, step, choices)
            form = SimpleLazyObject(partial(drafts.form_to_show, channel, step, choices, shown_key))
            context["form_cache_key"] = drafts.rendered_form_key(channel, step, shown_key, can_edit)
        context["form"] = form
        # The values this page was opened with, so a save after someone else's can be merged per field.
        context["base_token"] = (
            base_token
            if base_token is not None
            else merge.sign_base(channel.pk, step.slug, channel.step_data(step.slug))
        )
    else:
        _review_context(context, channel, choices)
    if step.has_form and _refused(request):
        context["problem_links"] = problem_links(context["form"])
    elif step.has_form and request.GET.get("problems"):
        # Opened from a problem the review step lists: the step's problems on top, each a link to its
        # field (a long step shows its errors screens below).
        context["problem_links"] = problem_links(context["form"])
        context["review_problems"] = bool(context["problem_links"])
    # The panel's frame loads the draft itself, so what the panel draws is the preview's checks: drafts
    # and steps with the same checks share its rendering. Its addresses are relative to the step page.
    context["preview_key"] = drafts.STEP_PAGE_PREVIEW_KEY
    context["keep_panel"] = keep_panel
    if _answers_htmx(request):
        context["step_frame"] = HTMX_FRAME
    if not keep_panel:
        context["preview"] = SimpleLazyObject(partial(drafts.step_page_preview, channel))
        context["panel_cache_key"] = drafts.rendered_panel_key(channel, choices)
    response = render(request, step.template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


# A comment Submit refused, kept in the session for the review step it leads back to.
REFUSED_COMMENT = "wizard_refused_comment"


def keep_refused_comment(request: AuthenticatedRequest, pk: int, comment: str, error: str) -> None:
    """Keep a comment Submit refused for the review step the refusal leads back to, which shows it as
    typed with the reason beside it (the step page's relative addresses hold only at its own address)."""
    request.session[REFUSED_COMMENT] = {"channel": pk, "value": comment, "error": error}


def _take_refused_comment(request: AuthenticatedRequest, pk: int) -> dict[str, str] | None:
    refused = request.session.get(REFUSED_COMMENT)
    if not isinstance(refused, dict) or refused.get("channel") != pk:
        return None
    del request.session[REFUSED_COMMENT]
    return {"value": str(refused.get("value", "")), "error": str(refused.get("error", ""))}


def _refused(request: AuthenticatedRequest) -> bool:
    """Whether this page answers a refused Next (its message is shown as the step's error summary)."""
    return any(REFUSED_TAG in message.tags for message in messages.get_messages(request))


@dataclass(frozen=True)
class ReviewSection:
    """One step's part of the review summary: its entries are read only if the rendering cached under
    ``key`` is missing, so that saving one step draws only that step's part again."""

    step: Step
    key: str
    entries: Any


def _review_context(context: dict[str, Any], channel: Channel, choices: Any) -> None:
    """The review step's problems and summary, read only when their cached rendering is missing; the
    number of problems (which decides whether Submit is enabled) is cached under the same key."""
    environments = Environment.offered()  # for the keys and the summary's details form alike
    keys = drafts.rendered_review_keys(channel, choices, context["can_edit"], environments)
    count_key = f"wizard_review_problems:{keys.problems}"
    count = renderings.get(count_key)
    if count is None:
        problems: Any = drafts.validate_all(channel, choices, keys)
        count = len(problems)
        renderings.set(count_key, count, REVIEW_CACHE_SECONDS)
    else:
        problems = SimpleLazyObject(partial(drafts.validate_all, channel, choices, keys))
    context["problems"] = problems
    context["problem_count"] = count
    context.update(workflow.comment_limits())
    context["review_cache_key"] = keys.problems
    reader = cache(partial(read, channel.data, choices))  # read once, and only if a part is drawn
    forms = StepForms(choices, environments)

    def entries(step: Step) -> list[Any]:
        return list(iter_entries(reader(), choices, forms=forms, steps=[step]))

    context["sections"] = [
        ReviewSection(step, keys.section(step.slug), SimpleLazyObject(partial(entries, step)))
        for step in FORM_STEPS
    ]


def _choice_notes(choices: Any) -> list[str]:
    notes = []
    for name in ("languages", "queues"):
        choice_list = getattr(choices, name)()
        if choice_list.offline:
            notes.append(
                choice_list.problem or _("The environment can't be reached: showing the lists saved earlier.")
            )
            break
    return notes


def _post(request: AuthenticatedRequest, channel: Channel, step: Step) -> HttpResponse:
    assert step.form_class is not None
    values = step.form_class.values_from_post(request.POST)
    row_action = request.POST.get("row_action", "")
    if row_action:
        values = apply_row_action(step.form_class, values, row_action)
    nav = request.POST.get("nav", "save")
    target = _target(step, nav)
    resolve = request.POST.get("resolve", "")
    posted_base = request.POST.get("base", "")
    base = merge.unsign_base(posted_base, channel.pk, step.slug)
    if resolve == "theirs" and base is None:
        messages.info(request, _("Your changes to this step were discarded; it shows the saved version."))
        return redirect("wizard:step", channel.pk, step.slug)
    try:
        version = int(request.POST.get("version", ""))
        against = int(request.POST["against"]) if resolve in ("mine", "theirs") else None
    except (KeyError, ValueError):
        messages.error(
            request,
            _(
                "The page's version was missing or not a number, so nothing was saved. Reload the page and "
                "try again."
            ),
        )
        return _render(request, channel, step, form=drafts.bind_form(channel, step, values), status=409)
    # Next saves an invalid step too, but stays on it; decided before saving so the draft's position is
    # written once.
    # Save draft checks too (the check is stored with the draft, so the page it leads to doesn't check
    # again): it says whether what was saved still has problems.
    check = drafts.check_step(channel, step, values) if nav in ("next", "save") and not row_action else None
    blocked = nav == "next" and check is not None and not check.valid
    try:
        result = drafts.save_step(
            channel,
            step.slug,
            values,
            expected_version=version,
            user=request.user,
            current_step=step.slug if row_action or blocked else target.slug,
            base=base,
            resolve=resolve,
            against=against,
            check=check,
        )
    except drafts.StaleDraftError as conflict:
        # What the author typed stays in the form (merged with what only the others changed); the form
        # keeps the version and base it started from, so a plain Save refuses again and only an
        # explicit choice (keep mine / take theirs) goes on.
        shown = conflict.form_values or values
        form = drafts.bind_form(conflict.channel, step, shown)
        conflict.compare(step, values, drafts.choices_for(conflict.channel))
        return _render(
            request,
            conflict.channel,
            step,
            form=form,
            status=409,
            conflict=conflict,
            started_version=version,
            # A page that came without a base goes on without one: only an explicit choice saves.
            base_token=posted_base if base is not None else "",
        )
    except drafts.NotEditableError as error:
        # The channel left the author's hands while this page was open (it went into review from another
        # window, say): what they typed is listed beside the saved values, so that it can be copied.
        choices = drafts.choices_for(channel)
        rows = drafts.unsaved_changes(channel.data, step, values, base, choices)
        unsaved = {"message": str(error), "rows": rows}
        return _render(request, channel, step, status=409, unsaved=unsaved)
    except drafts.DraftTooLargeError as error:
        messages.error(request, str(error))
        return _render(request, channel, step, form=drafts.bind_form(channel, step, values), status=413)
    for notice in result.notices:
        messages.warning(request, notice)
    if row_action:
        url = reverse("wizard:step", args=[channel.pk, step.slug])
        verb, _sep, rest = row_action.partition(":")
        # "identify:<question>" adds to the questions; the other actions name their row set first.
        row_set = "questions" if verb == "identify" else rest.partition(":")[0]
        if verb == "add":
            url = f"{url}?{urlencode({'added': row_set})}#rows-{row_set}"
        else:
            url = f"{url}#rows-{row_set or 'questions'}"
        # A row changed on the server: the whole page, scrolled to the rows, as without JavaScript.
        return HttpResponseClientRedirect(url) if _answers_htmx(request) else redirect(url)
    if blocked:
        messages.error(
            request,
            _(
                "This step has problems: fix the fields marked below to continue. What you typed is kept "
                "in the draft, and you can go to another step from the step list."
            ),
            extra_tags=REFUSED_TAG,
        )
        target = step
    elif resolve == "theirs":
        messages.success(
            request,
            _("The saved values were taken for the settings in conflict; your other changes were saved."),
        )
    elif nav == "save" and check is not None and not check.valid:
        count = len(check.problems)
        messages.warning(
            request,
            ngettext(
                "Draft saved. This step still has %(count)d problem, marked below: fix it before you submit "
                "the channel for review.",
                "Draft saved. This step still has %(count)d problems, marked below: fix them before you "
                "submit the channel for review.",
                count,
            )
            % {"count": count},
        )
    elif nav == "save":
        messages.success(request, _("Draft saved."))
    elif nav == "refresh":
        _reload_lists(request, result.channel)
    if not _answers_htmx(request):
        return redirect("wizard:step", channel.pk, target.slug)
    # htmx: the page the redirect would lead to, in this answer; the address bar follows. Unless the
    # save took in someone else's changes, or changed the widget's language (its built-in texts and the
    # preview's note about them come with the panel's frame, not as the author types), the page's
    # preview already shows this draft.
    keep_panel = result.channel.version <= version + 1 and not _widget_language_changed(
        step, channel, result.channel
    )
    response = _render(request, result.channel, target, keep_panel=keep_panel)
    response["HX-Push-Url"] = reverse("wizard:step", args=[channel.pk, target.slug])
    return response


def _widget_language_changed(step: Step, before: Channel, after: Channel) -> bool:
    if step.slug != "details":
        return False
    return bool(read(before.data)["details"].text("language") != read(after.data)["details"].text("language"))


def _reload_lists(request: AuthenticatedRequest, channel: Channel) -> None:
    """Reload lists: the step was just saved; the environment's lists are read afresh on the next page."""
    from wizard.environment_choices import clear_cache

    if channel.environment is not None:
        clear_cache(channel.environment)
        messages.success(request, _("Lists reloaded from %(env)s.") % {"env": channel.environment.name})


def _target(step: Step, nav: str) -> Step:
    if nav == "next":
        return next_step(step.slug) or step
    if nav == "back":
        return previous_step(step.slug) or step
    if nav.startswith("goto:"):
        try:
            return get_step(nav.removeprefix("goto:"))
        except Http404:
            return step
    return step
