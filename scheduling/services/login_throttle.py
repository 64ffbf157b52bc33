"""Failed-login throttling with django-axes (issue 14, item 9), by client address and by account from that address.

Lockout parameters: the client address alone, and the pair (account, address). So LOGIN_MAX_FAILURES failures
from one address lock that address (an attacker locks themself out, whichever accounts they try), and the
account stays open to its owner from their own address. Both last LOGIN_LOCKOUT_MINUTES. An operator lifts a
lock with `manage.py axes_reset_ip <address>` or `axes_reset_username <username>` (django-axes' commands).

The project's token login does not go through django.contrib.auth.authenticate (it accepts an email as the
identifier and answers disabled accounts itself), so it calls the axes handler directly: `allowed` before the
password check, `failed` and `succeeded` after it. The locked answer is the same generic 401 as a wrong
password; the caller cannot tell a lock from a typo, nor a known account from an unknown one.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from scheduling.models import User


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT: the project's own setting stays the one to change."""
    return settings.LOGIN_MAX_FAILURES


def lockout_time(request: HttpRequest | None) -> timedelta:
    """AXES_COOLOFF_TIME: how long an address (or an account from it) stays locked."""
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the peer address, or with TRUSTED_PROXY_COUNT = n proxies in front (e.g. nginx
    from `make run`), the n-th address from the right of X-Forwarded-For (what the last trusted proxy saw)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def _credentials(identifier: str, user: User | None) -> dict:
    # One name per account whatever spelling was typed (email, other case), so the pair count cannot be dodged.
    return {"username": user.get_username() if user is not None else identifier.strip().lower()}


def allowed(request: HttpRequest | None, identifier: str, user: User | None) -> bool:
    if request is None:  # a login outside HTTP (shell, tests of the service alone): nothing to throttle by
        return True
    from axes.handlers.proxy import AxesProxyHandler  # imported late: needs the app registry

    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.is_allowed(request, _credentials(identifier, user))


def failed(request: HttpRequest | None, identifier: str, user: User | None) -> None:
    if request is not None:
        user_login_failed.send(sender=__name__, credentials=_credentials(identifier, user), request=request)


def succeeded(request: HttpRequest | None, user: User) -> None:
    """Forget the failures of this account from this address, and only those: a success with one's own account
    must not wipe the failures an address piled up against other accounts."""
    if request is not None:
        from axes.handlers.proxy import AxesProxyHandler

        AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=user.get_username())


def is_locked(user: User) -> bool:
    """Whether failed logins currently lock this account from some address (the pair (account, address))."""
    from axes.models import AccessAttempt  # imported late: needs the app registry

    since = timezone.now() - lockout_time(None)
    return AccessAttempt.objects.filter(
        username=user.get_username(), failures_since_start__gte=settings.LOGIN_MAX_FAILURES, attempt_time__gte=since
    ).exists()


def unlock(user: User) -> int:
    """Forget every failed login recorded against this account (from any address); returns how many records."""
    from axes.utils import reset

    return reset(username=user.get_username())
