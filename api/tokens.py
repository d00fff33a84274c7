"""Making, finding and revoking API tokens: the one place that knows how a token is made and stored."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

# "pp" for the pilot portal: a token found in a log or a script says where it belongs.
PREFIX = "pp_"
# last_used_at is written at most this often per token: a BI tool's hundred requests a minute are one UPDATE.
LAST_USE_EVERY = datetime.timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the token itself, which is shown once and kept nowhere."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[: len(PREFIX) + 6], key_hash=_hash(raw))
    return token, raw


def token_find(raw: str) -> ApiToken | None:
    """The active token `raw` is, with its owner, or None (unknown, revoked, or its owner deactivated)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    return token


def token_used(token: ApiToken) -> None:
    """Record that the token was used now (at most once a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False when it is not theirs or already revoked."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )
