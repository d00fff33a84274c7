"""The client's address for django-axes, also when the portal runs behind reverse proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The address that the outermost of our PORTAL_PROXY_COUNT proxies saw, else REMOTE_ADDR.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    trusted proxies the client is the N-th entry from the right; whatever the client itself put
    further left is ignored, so it cannot choose the address it is locked out under."""
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.PORTAL_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote_addr  # not through all our proxies: the nearest peer is the best we know
    return forwarded[-count]
