from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pilots.views import i18n

# The Institute works in the admin too: its titles speak the portal's languages, not "Django".
admin.site.site_header = _("Pilot portal administration")
admin.site.site_title = _("Pilot portal")
admin.site.index_title = _("Registry, monitoring and reports")

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("monitoring.urls")),
    path("", include("reports.urls")),
    path("", include("pilots.urls")),
    # After pilots: "organisations/import/" must match before the card's "organisations/<bin>/".
    path("", include("programme.urls")),
    path("", include("api.urls")),
]
