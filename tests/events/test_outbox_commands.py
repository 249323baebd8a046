"""``outbox_status`` and ``outbox_replay``: the outbox per tenant, and relayed events sent again."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.events.management.commands.outbox_status import dead_deliveries
from apps.events.models import OutboxEvent
from apps.events.services import publish
from tests.events.test_publish import TESTED

MOVED = TESTED.name


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def event(*, to: str, sent: timedelta | None = None, created: timedelta = timedelta(0)) -> str:
    envelope = publish(MOVED, {"to": to})
    now = timezone.now()
    OutboxEvent.objects.filter(event_id=envelope["eventId"]).update(
        created_at=now - created, sent_at=None if sent is None else now - sent
    )
    return str(envelope["eventId"])


def test_status_shows_each_tenants_backlog(outbox, tenant, other_tenant):
    event(to="old", created=timedelta(seconds=90))
    event(to="new", created=timedelta(seconds=10))
    event(to="sent", sent=timedelta(minutes=5))
    event(to="sent long ago", sent=timedelta(hours=2), created=timedelta(hours=3))
    with tenant_context(other_tenant):
        event(to="sent", sent=timedelta(minutes=1))

    lines = [line.split() for line in run("outbox_status").splitlines()]

    dead = dead_deliveries(["acme", "globex"])
    extra = [] if dead is None else [["dead_deliveries"], ["0"], ["0"]]
    expected = [
        ["tenant", "pending", "oldest_pending_s", "sent_last_hour"],
        ["acme", "2", "90", "1"],
        ["globex", "0", "0", "1"],
    ]
    assert lines == [row + (extra[i] if extra else []) for i, row in enumerate(expected)]


def test_status_of_an_empty_outbox_is_its_header(outbox):
    assert run("outbox_status").split()[:4] == ["tenant", "pending", "oldest_pending_s", "sent_last_hour"]
    assert len(run("outbox_status").splitlines()) == 1


def test_replay_by_event_id_marks_that_event_pending_again(outbox, tenant, django_capture_on_commit_callbacks):
    replayed = event(to="a", sent=timedelta(minutes=1))
    other = event(to="b", sent=timedelta(minutes=1))
    OutboxEvent.objects.filter(event_id=replayed).update(attempts=3, last_error="RuntimeError: earlier")

    assert run("outbox_replay", "--event-id", replayed) == "1 event marked for relay.\n"

    row = OutboxEvent.objects.get(event_id=replayed)
    assert (row.sent_at, row.attempts, row.last_error) == (None, 0, "")
    assert OutboxEvent.objects.get(event_id=other).sent_at is not None


def test_replay_since_a_time_for_one_tenant(outbox, tenant, other_tenant):
    before = event(to="before", sent=timedelta(minutes=1), created=timedelta(hours=2))
    after = event(to="after", sent=timedelta(minutes=1), created=timedelta(minutes=30))
    pending = event(to="pending", created=timedelta(minutes=20))
    with tenant_context(other_tenant):
        globex = event(to="globex", sent=timedelta(minutes=1), created=timedelta(minutes=30))
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    assert run("outbox_replay", "--since", since, "--tenant", "acme") == "1 event marked for relay.\n"

    still_sent = set(OutboxEvent.objects.filter(sent_at__isnull=False).values_list("event_id", flat=True))
    assert {str(e) for e in still_sent} == {before, globex}
    now_pending = OutboxEvent.objects.filter(sent_at__isnull=True).values_list("event_id", flat=True)
    assert {str(e) for e in now_pending} == {after, pending}


def test_replay_since_without_a_zone_means_utc_and_covers_every_tenant(outbox, tenant, other_tenant):
    event(to="a", sent=timedelta(minutes=1), created=timedelta(minutes=30))
    with tenant_context(other_tenant):
        event(to="b", sent=timedelta(minutes=1), created=timedelta(minutes=30))
    since = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()

    assert run("outbox_replay", "--since", since) == "2 events marked for relay.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give exactly one of --event-id UUID or --since ISO8601."),
        (
            ("--event-id", str(uuid.uuid4()), "--since", "2026-01-01"),
            "Give exactly one of --event-id UUID or --since ISO8601.",
        ),
        (("--event-id", "not-a-uuid"), "--event-id 'not-a-uuid' is not a UUID."),
        (("--since", "yesterday"), "--since 'yesterday' is not an ISO 8601 date or time (e.g. 2026-11-23T10:00:00Z)."),
        (("--since", "2026-01-01", "--tenant", "nobody"), "No tenant 'nobody'."),
    ],
)
def test_replay_refuses_bad_input_with_exit_status_1(outbox, args, message):
    with pytest.raises(CommandError) as error:
        call_command("outbox_replay", *args, stdout=io.StringIO())

    assert (str(error.value), error.value.returncode) == (message, 1)


def test_replay_of_an_unknown_event_is_refused(outbox):
    missing = uuid.uuid4()

    with pytest.raises(CommandError, match=f"No event {missing} in the outbox."):
        call_command("outbox_replay", "--event-id", str(missing), stdout=io.StringIO())
