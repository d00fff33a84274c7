"""What a page shows, read in one place: a view parses the request, calls a service or one of these, renders.

A page object is frozen: the template reads it, nothing writes to it. Its fields are the template's context
keys, so `as_context()` hands the same names the templates have always read.
"""

import datetime
from dataclasses import dataclass, fields
from typing import Any

from .forms import ReviewForm
from .models import Status, Submission
from .selectors import (
    SubmissionContext,
    changes_since_return,
    display_value,
    display_with_unit,
    field_reasons_of_last_return,
    previous_values,
    sections_with,
    submission_attachments,
    submission_can_edit,
    submission_can_reopen,
    submission_can_review,
    submission_timeline,
    submission_values,
)
from .validation import required_codes, rules_for


@dataclass(frozen=True)
class SubmissionPage:
    """The quarterly form of one organisation as one user sees it."""

    organisation: Any
    period: Any
    submission: Submission | None
    status: str | None
    form: Any
    sections: list
    required: Any
    previous: dict
    display: dict
    can_edit: bool
    can_review: bool
    can_reopen: bool
    review_form: Any
    timeline: Any
    attachments: Any
    changed: dict
    field_reasons: dict
    conflict: bool
    only_explanations: bool
    days_to_due: int | None
    just_saved: bool
    storage_key: str

    def as_context(self) -> dict:
        # Not dataclasses.asdict: that deep-copies the forms and querysets.
        return {f.name: getattr(self, f.name) for f in fields(self)}


def submission_page(
    *,
    user,
    context: SubmissionContext,
    form,
    today: datetime.date,
    conflict: bool = False,
    review_form=None,
    only_explanations: bool = False,
    just_saved: bool = False,
) -> SubmissionPage:
    """The form page of `context` for `user`, around `form` (fresh, or bound to what the user typed)."""
    submission = context.submission
    values, _explanations = submission_values(submission=submission)
    indicators = form.indicators
    by_code = {i.code: i for i in indicators}
    return SubmissionPage(
        organisation=context.organisation,
        period=context.period,
        submission=submission,
        status=submission.status if submission else None,
        form=form,
        sections=[
            (section, [(i, form[i.code], form[f"{i.code}__explanation"] if i.is_numeric else None) for i in items])
            for section, items in sections_with(indicators)
        ],
        required=required_codes(indicators=indicators, rules=rules_for(context.period)),
        previous=previous_values(organisation=context.organisation, period=context.period),
        display={i.code: display_with_unit(i, values.get(i.code)) for i in indicators},
        can_edit=submission_can_edit(user=user, context=context, today=today),
        can_review=submission_can_review(user=user, context=context),
        can_reopen=submission_can_reopen(user=user, context=context),
        review_form=review_form or ReviewForm(indicators=indicators),
        timeline=submission_timeline(submission=submission),
        attachments=submission_attachments(submission=submission),
        changed={
            code: display_value(by_code[code], old) or "—"
            for code, old in changes_since_return(submission=submission, values=values).items()
            if code in by_code
        }
        if submission and submission.status == Status.SUBMITTED
        else {},
        field_reasons=field_reasons_of_last_return(submission=submission)
        if submission and submission.status == Status.RETURNED
        else {},
        conflict=conflict,
        only_explanations=only_explanations,
        days_to_due=context.period.days_to_due(today),
        just_saved=just_saved,
        storage_key=f"pilot-draft:{user.pk}:{context.organisation.bin}:{context.period.code}",
    )
