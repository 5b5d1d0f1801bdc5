"""The leads screen: people who asked about a new loan or product in a conversation, newest first.

Telemarketers work from it (with the call list of part 2); agents and
supervisors see which conversations became leads. It reads the same store as
`GET /leads`, a page at a time with a signed cursor.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.access.roles import Permission
from chalicelib.console.pages import Visit, page
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import decode_cursor, encode_cursor
from chalicelib.scrm.leads import CHANNEL_LABELS, TOPIC_LABELS, public_lead

PAGE_SIZE = 50
CURSOR_SCOPE = "/console/leads"


@page(Permission.LEADS)
def leads_page(visit: Visit) -> Response:
    try:
        start = decode_cursor(visit.query, CURSOR_SCOPE)
    except ValidationFailed:
        start = None  # a stale or foreign cursor: the first page
    items, last = visit.container.scrm.leads().page(PAGE_SIZE, start)
    topics = TOPIC_LABELS.get(visit.language, TOPIC_LABELS["en"])
    return visit.render(
        "leads.html",
        section="leads",
        leads=[public_lead(item) for item in items],
        channels=CHANNEL_LABELS,
        topics=topics,
        next_cursor=encode_cursor(last, CURSOR_SCOPE),
    )
