"""The sign-in lock's two limits: one account from one address, and one address across all accounts.

django-axes counts the failures of each of its lockout parameter sets (AXES_LOCKOUT_PARAMETERS)
but compares only the largest count with a single AXES_FAILURE_LIMIT. An address's count is never
below the count of any one account from it, so one number cannot give the account a low limit and
the address a high one. AXES_FAILURE_LIMIT is therefore `failure_limit` below, which answers the
limit of a lock that is reached (its count is at least that, so axes locks), else the highest
limit (which no count has reached, so axes does not).
"""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render

ACCOUNT = "account"
ADDRESS = "address"
# Each of AXES_LOCKOUT_PARAMETERS' sets, by the lock it is.
LOCK_OF_PARAMETERS = {("username", "ip_address"): ACCOUNT, ("ip_address",): ADDRESS}


def lock_limit(lock: str) -> int:
    """The failures within the cool-off that close a lock; from the environment (see settings)."""
    return settings.PORTAL_ACCOUNT_FAILURE_LIMIT if lock == ACCOUNT else settings.PORTAL_ADDRESS_FAILURE_LIMIT


@dataclass(frozen=True)
class LockState:
    lock: str
    limit: int
    failures: int
    # When the failures still inside the cool-off fall below the limit if nobody tries again.
    lifts_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.failures >= self.limit


class SignInLockHandler(AxesDatabaseHandler):
    """Axes' database handler, with each lock's own count and a success that clears only its account."""

    def lock_states(self, request, credentials=None) -> list[LockState]:
        """Each lock's state for this request's username and address, in AXES_LOCKOUT_PARAMETERS' order."""
        cool_off = get_cool_off(request)
        states = []
        # get_user_attempts gives one queryset per parameter set, already limited to the cool-off.
        attempts_per_set = self.get_user_attempts(request, credentials)
        for parameters, attempts in zip(settings.AXES_LOCKOUT_PARAMETERS, attempts_per_set, strict=True):
            key = (parameters,) if isinstance(parameters, str) else tuple(parameters)
            lock = LOCK_OF_PARAMETERS[key]
            limit = lock_limit(lock)
            failures, lifts_at = 0, None
            # Newest first: the lock holds while the newest records still sum to the limit, so it
            # lifts when the record that brings the sum to the limit leaves the cool-off.
            for attempt_time, count in attempts.order_by("-attempt_time").values_list(
                "attempt_time", "failures_since_start"
            ):
                failures += count
                if lifts_at is None and failures >= limit and cool_off is not None:
                    lifts_at = attempt_time + cool_off
            states.append(LockState(lock=lock, limit=limit, failures=failures, lifts_at=lifts_at))
        return states

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A right password clears that account's failures from this address, not the address's.

        Axes would delete the records of every parameter set, the address's too: anyone holding
        one valid account could then sign in with it between guesses and never be locked."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def _handler() -> SignInLockHandler:
    return AxesProxyHandler.get_implementation()


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the limit that makes axes' one comparison lock exactly when a lock is closed."""
    states = _handler().lock_states(request, credentials)
    closed = [state.limit for state in states if state.closed]
    return min(closed) if closed else max(state.limit for state in states)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lock page, saying which lock holds and when it lifts."""
    # Axes' async middleware passes the credentials second; the request carries them either way.
    credentials = getattr(request, "axes_credentials", None) or credentials
    states = [state for state in _handler().lock_states(request, credentials) if state.closed]
    # Of several closed locks, the one that lifts last is the one the person waits for (a lock
    # without cool-off never lifts by itself).
    state = max(states, key=lambda s: (s.lifts_at is None, s.lifts_at and s.lifts_at.timestamp())) if states else None
    context = {
        "lock": state.lock if state else ACCOUNT,
        "lifts_at": state.lifts_at if state else None,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
