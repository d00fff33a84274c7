from .catalogue import Indicator, Section, ValidationRule
from .periods import Period
from .submissions import (
    COUNTED_STATUSES,
    EDITABLE_STATUSES,
    SUBMITTED_STATUSES,
    Attachment,
    FieldComment,
    ReminderLog,
    Status,
    Submission,
    Transition,
    Value,
)
from .summary import SummedActivities, SummedCounts, SummedOrganisations, SummedValue

__all__ = [
    "COUNTED_STATUSES",
    "EDITABLE_STATUSES",
    "SUBMITTED_STATUSES",
    "Attachment",
    "FieldComment",
    "Indicator",
    "Period",
    "ReminderLog",
    "Section",
    "Status",
    "Submission",
    "SummedActivities",
    "SummedCounts",
    "SummedOrganisations",
    "SummedValue",
    "Transition",
    "ValidationRule",
    "Value",
]
