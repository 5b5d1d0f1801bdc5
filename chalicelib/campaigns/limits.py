"""What staff may write in a campaign, and its limits.

Shared by the request models (`schemas`, which check each field) and the
campaign's rules (`model.validate_spec`, which calls them), so neither
imports the other for them and `model` stays free of pydantic.
"""

from __future__ import annotations

CHANNELS: tuple[str, ...] = ("whatsapp", "email")
FIELDS: tuple[str, ...] = ("name", "channel", "template", "segment", "send_at")
READ_ONLY: frozenset[str] = frozenset(
    {"id", "status", "status_reason", "created_at", "updated_at", "created_by", "counts", "fanout"}
)
"""What a campaign is read with besides its fields: ignored in a request, so a campaign as read may be sent back."""
NAME_MAX = 120
MAX_TEST_RECIPIENTS = 5
