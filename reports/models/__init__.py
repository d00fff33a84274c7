from .narratives import Narrative
from .reports import Approval, CoverLetter, Report, ReportVersion

__all__ = ["Approval", "CoverLetter", "Narrative", "Report", "ReportVersion"]
