"""Order delivery statuses so out-of-order webhooks never move a message backwards.

Meta does not guarantee delivery order: "read" can arrive before "delivered", and
retries replay old statuses hours later. Consumers store the furthest status seen
and only replace it with a strictly higher rank.
"""

from __future__ import annotations

# failed sits above sent and below delivered:
# - a "failed" after "sent" is terminal: a late or replayed "sent" must not revive the message;
# - "delivered"/"read" are proof the message reached the phone, so a stray "failed" cannot undo them
#   (Meta does not send failed after delivery; if it ever does, the proof wins).
# "played" (voice note listened to) is a read receipt for audio, so it ranks equal to "read".
_RANKS: dict[str, int] = {
    "sent": 1,
    "failed": 2,
    "delivered": 3,
    "read": 4,
    "played": 4,
}


def status_rank(status: str | None) -> int:
    """Rank for "keep the furthest": sent 1 < failed 2 < delivered 3 < read = played 4.

    Unknown or missing statuses rank 0 so they never overwrite a known one.
    """
    if not isinstance(status, str):
        return 0
    return _RANKS.get(status.strip().lower(), 0)


def furthest_status(current: str | None, incoming: str | None) -> str | None:
    """The status to store after seeing `incoming`; ties keep `current` so replays are no-ops."""
    if status_rank(incoming) > status_rank(current):
        return incoming
    return current if current is not None else incoming
