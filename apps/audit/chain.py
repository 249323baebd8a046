"""The hash chain: canonical content of an entry, its SHA-256, and the walk that checks a whole chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

GENESIS_HASH = "0" * 64
# The stored fields the hash covers, in the order the verifier reads them.
CHAINED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "changes",
    "request_id",
    "trace_id",
    "ip",
    "user_agent",
    "previous_hash",
)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(content: dict[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTC timestamps in ISO 8601."""
    return _dumps({**content, "occurred_at": content["occurred_at"].astimezone(UTC).isoformat()}).encode()


def canonical_around_link(content: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical text of ``content``, which lacks ``seq`` and ``previous_hash``, in three pieces.

    ``head + previous_hash + middle + str(seq) + tail`` is the text ``canonical`` makes of the content
    with both: the database fills in the link to the chain's last entry while it appends the entry
    (apps.audit.services). ``json.dumps`` with sorted keys writes ``"key":value`` pairs in key order,
    so the pieces are cut between pairs; the link's values need no escaping (hex digits, a number).
    """
    values = {**content, "occurred_at": content["occurred_at"].astimezone(UTC).isoformat()}
    before, between, after = (_pairs(values, keys) for keys in _LINK_GROUPS)
    return (
        "{" + (f"{before}," if before else "") + '"previous_hash":"',
        '"' + (f",{between}" if between else "") + ',"seq":',
        (f",{after}" if after else "") + "}",
    )


def _pairs(values: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The ``"key":value`` pairs of ``keys``, comma-separated, as ``canonical`` writes them."""
    return _dumps({key: values[key] for key in keys})[1:-1]


def _link_groups() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The content's fields before ``previous_hash``, between it and ``seq``, and after ``seq``, sorted."""
    content = sorted(set(CHAINED_FIELDS) - {"previous_hash", "seq"})
    return (
        tuple(key for key in content if key < "previous_hash"),
        tuple(key for key in content if "previous_hash" < key < "seq"),
        tuple(key for key in content if key > "seq"),
    )


_LINK_GROUPS = _link_groups()


def entry_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical content, which includes ``seq`` and ``previous_hash``."""
    return hashlib.sha256(canonical(content)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What a walk found: how many entries it read, and the first bad one (``None`` when intact)."""

    entries: int
    first_bad_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None


def chain_walk(rows: Iterable[tuple[Any, ...]]) -> ChainReport:
    """Check rows of ``CHAINED_FIELDS`` + ``hash``, in ``seq`` order, and name the first broken entry."""
    expected_seq, previous_hash, count = 1, GENESIS_HASH, 0
    for row in rows:
        count += 1
        content = dict(zip(CHAINED_FIELDS, row[:-1], strict=True))
        seq, stored_hash = content["seq"], row[-1]
        if seq != expected_seq:
            return ChainReport(count, seq, f"expected entry {expected_seq} here (missing or moved entries)")
        if content["previous_hash"] != previous_hash:
            return ChainReport(count, seq, "previous_hash does not match the previous entry's hash")
        if entry_hash(content) != stored_hash:
            return ChainReport(count, seq, "hash does not match the entry's content")
        expected_seq, previous_hash = seq + 1, stored_hash
    return ChainReport(count)


def chain_build(
    contents: Iterable[dict[str, Any]], *, after: tuple[int, str] = (0, GENESIS_HASH)
) -> Iterator[dict[str, Any]]:
    """Number and hash ``contents`` (without seq and hashes) as the entries following ``after``."""
    seq, previous_hash = after
    for content in contents:
        seq += 1
        entry = {**content, "seq": seq, "previous_hash": previous_hash}
        previous_hash = entry["hash"] = entry_hash(entry)
        yield entry
