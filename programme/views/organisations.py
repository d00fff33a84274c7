from django.contrib.auth.decorators import login_required
from django.utils import timezone

from monitoring.selectors import organisation_periods
from pilots.views import organisations


@login_required
def organisation_detail_view(request, bin):
    """The registry's organisation card with the organisation's monitoring periods beside it."""
    response = organisations.organisation_detail_view(request, bin)
    organisation = response.context_data["organisation"]
    response.context_data["periods"] = organisation_periods(organisation=organisation, today=timezone.localdate())
    return response
