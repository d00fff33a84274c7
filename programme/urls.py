from django.urls import path

from .views import order, organisations

# The paths and names the registry's pages always had: the pages moved here because they combine the apps.
urlpatterns = [
    path("order/", order.control_card, name="order"),
    path("order/control-card.xlsx", order.control_card_export, name="order_export"),
    path("organisations/<str:bin>/", organisations.organisation_detail_view, name="organisation_detail"),
]
