"""`Authorization: Bearer <token>`: the request is its owner's, scoped as their pages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .tokens import token_find, token_used


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: session authentication may still apply, else 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be: Bearer <token>."))
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = token_find(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid or has been revoked."))
        token_used(token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge), not 403, to a request without credentials.
        return f'{self.keyword} realm="api"'
