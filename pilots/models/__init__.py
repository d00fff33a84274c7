from .algorithm import Activity, ActivityProgress, Stage
from .order import Clause, ClauseExecution, Order
from .organisations import Organisation, PilotMembershipChange
from .regions import Region
from .users import User

__all__ = [
    "Activity",
    "ActivityProgress",
    "Clause",
    "ClauseExecution",
    "Order",
    "Organisation",
    "PilotMembershipChange",
    "Region",
    "Stage",
    "User",
]
