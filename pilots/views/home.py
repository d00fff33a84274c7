from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from ..models import User


@login_required
def home(request):
    """Send each role to the page it starts its day on."""
    user = request.user
    if user.role == User.Role.ORGANISATION:
        return redirect("organisation_detail", bin=user.organisation.bin)
    if user.role in (User.Role.REGION, User.Role.INSTITUTE):
        return redirect("monitoring_queue")
    if user.role == User.Role.DIRECTOR:
        return redirect("report_list")  # where versions wait for approval
    if user.role == User.Role.ADMIN:
        return redirect("admin:index")
    if user.role == User.Role.MINISTRY:
        return redirect("national_dashboard")
    return redirect("order")
