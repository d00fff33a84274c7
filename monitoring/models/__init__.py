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
from .summary import SummedActivities, SummedCounts, SummedOrganisations, SummedRegionValue, SummedValue

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
    "SummedRegionValue",
    "SummedValue",
    "Transition",
    "ValidationRule",
    "Value",
]
