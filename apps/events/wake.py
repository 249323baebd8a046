"""The relay's wake flag: how a commit that published events asks for a relay run, mostly for free.

One flag in the platform's cache stands for "a relay run is asked for and will look at the outbox".
A run clears it only when it reaches the end of the outbox, and then looks once more from the start:
so a commit that finds the flag set is seen by that look, and a commit that sets it queues a run.

The flag carries two times: when its run was asked for, and the start of its **lease**. A run clears
the flag no sooner than ``OUTBOX_WAKE_LEASE_SECONDS`` after the lease started, and meanwhile looks at
the outbox every ``WAKE_POLL_SECONDS``. A process that set the flag, or read it, therefore knows it
stands until then, and its commits until then need no round trip at all. A process that finds the
lease over renews it, if no one changed the flag since it read it (a second round trip, once per
lease, not per commit): under a steady stream of commits the relay keeps polling, and publishing costs
no cache round trip per commit. A run polls for at most ``RELAY_RUN_SECONDS``, then queues its
successor.

A flag no run has cleared for ``WAKE_STALE_SECONDS`` since its run was asked for (the run waits behind
other work, or was lost) makes the next commit ask for another. The periodic sweep relays what any
lost wake left.

The flag is only ever changed by operations that check what it holds: add if absent, renew or clear
if unchanged (on Redis, ``SET NX GET`` and two scripts). Times are ``time.time()`` of the processes
involved: a process stops relying on a lease ``WAKE_LEASE_MARGIN_SECONDS`` before its end, for the
round trip that told it and the difference between its clock and the relay host's. Clocks further
apart than that can leave a commit to the next wake or the sweep: late by seconds, never lost.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches

from monopod.cache import add_or_get, delete_if_unchanged, set_if_unchanged
from monopod.cache_keys import PLATFORM

logger = logging.getLogger(__name__)

WAKE_FLAG_KEY = "events:relay:wake"
# A flag outlives everything that could clear it by at most this long.
WAKE_FLAG_SECONDS = 60
DEFAULT_WAKE_LEASE_SECONDS = 0.1
WAKE_POLL_SECONDS = 0.01
WAKE_LEASE_MARGIN_SECONDS = 0.02
WAKE_STALE_SECONDS = 10.0

# Until when (time.time()) this process knows the flag stands: its commits until then need no wake.
_known_until = 0.0


def wake_lease_seconds() -> float:
    return float(getattr(settings, "OUTBOX_WAKE_LEASE_SECONDS", DEFAULT_WAKE_LEASE_SECONDS))


def _flag(asked: float, leased: float) -> str:
    return f"{asked:.6f} {leased:.6f}"


def _flag_times(value: Any) -> tuple[float, float]:
    """``(asked, leased)`` of a flag's value; zeros for a value that does not say (an older flag)."""
    try:
        asked, leased = str(value).split()
        return float(asked), float(leased)
    except ValueError:
        return 0.0, 0.0


def relay_wake() -> None:
    """Ask for a relay run soon after a commit that published events; one queued run serves a burst."""
    global _known_until

    now = time.time()
    if now < _known_until:
        return
    lease = wake_lease_seconds()
    reliable = lease - WAKE_LEASE_MARGIN_SECONDS
    # The platform's cache: the flag is one for all tenants, and the connection stays in the tenant's
    # schema (switching it would cost the tenant's next transaction a SET search_path).
    platform = caches[PLATFORM]
    added, value = add_or_get(platform, WAKE_FLAG_KEY, _flag(now, now), timeout=WAKE_FLAG_SECONDS)
    if not added:
        if value is None:  # cleared since it was found set: that run's last look comes after this commit
            return
        asked, leased = _flag_times(value)
        if now - leased < reliable:
            _known_until = leased + reliable
            return
        stale = now - asked > WAKE_STALE_SECONDS
        if reliable <= 0 and not stale:  # no lease: the flag's run covers this commit, and that is all
            return
        # Renewed only if no one changed it since: a run that cleared it meanwhile looks after this
        # commit anyway, and a flag renewed without its run would cover later commits with no run.
        renewed = _flag(now if stale else asked, now)
        if not set_if_unchanged(platform, WAKE_FLAG_KEY, value, renewed, timeout=WAKE_FLAG_SECONDS):
            return
        _known_until = now + reliable
        if not stale:
            return
    else:
        _known_until = now + reliable
    relay_queue()


def relay_queue() -> None:
    """Queue a relay run; when that fails, leave the flag clear for the next commit to try again."""
    global _known_until
    from apps.events.tasks import outbox_relay  # the task module imports the relay, which imports this one

    try:
        outbox_relay.delay()
    except Exception:
        # The commit stands; the sweep relays its events.
        _known_until = 0.0
        caches[PLATFORM].delete(WAKE_FLAG_KEY)
        logger.exception("outbox relay: could not queue a run; the periodic sweep will relay")


def wake_release() -> float:
    """For a run at the end of the outbox: clear the flag if its lease is over and return 0, else
    return the seconds until it is (the run looks at the outbox again meanwhile)."""
    platform = caches[PLATFORM]
    value = platform.get(WAKE_FLAG_KEY)
    if value is None:
        return 0.0
    _asked, leased = _flag_times(value)
    left = leased + wake_lease_seconds() - time.time()
    if left > 0:
        return left
    if delete_if_unchanged(platform, WAKE_FLAG_KEY, value):
        return 0.0
    return WAKE_POLL_SECONDS  # renewed meanwhile: its new lease runs
