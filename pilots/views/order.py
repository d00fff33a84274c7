from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from ..control_card import order_control_card, order_current


@login_required
def control_card(request):
    """The order's control card: clauses, who is responsible, deadlines, live status."""
    order = order_current()
    today = timezone.localdate()
    context = {"order": order, "today": today}
    if order is not None:
        context["statuses"] = order_control_card(order=order, today=today)
        days = (order.final_report_due_on - today).days
        context["days_to_final_report"] = days
        context["days_final_report_overdue"] = -days
    return render(request, "pilots/order.html", context)
