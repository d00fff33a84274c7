"""Response headers that Django does not set itself: Permissions-Policy, and no caching of signed-in pages."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PermissionsPolicyMiddleware:
    """Switches off, for the portal and anything it might ever embed, the browser features it never uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class SignedInNoStoreMiddleware:
    """Every response to a signed-in person is `Cache-Control: no-store`.

    Pages and downloads carry personal and organisation data; on a shared office computer the
    browser's cache (and the Back button after signing out) would show them to the next person.
    Static files never reach this middleware (WhiteNoise answers them further out), so they stay
    cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
