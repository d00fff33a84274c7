from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent with a stale or missing token, explained in the person's language.

    Django's own page is English and written for developers; here it is nearly always a form left
    open past a sign-out (or a sign-in in another tab), so the page says what to do about that."""
    referer = request.META.get("HTTP_REFERER", "")
    back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()) else ""
    context = {"back_url": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)
