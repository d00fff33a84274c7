from .narratives import Narrative
from .reports import Report, ReportVersion

__all__ = ["Narrative", "Report", "ReportVersion"]
