"""Meta (WhatsApp Cloud API, Instagram, Facebook Page/Messenger) webhooks: verify, then normalise.

Pure Python on purpose: no AWS, no I/O, so it is cheap to fuzz and reuse from the
webhook route, replay tools and tests.
"""

from chalicelib.scrm.meta.events import KINDS, PLATFORMS, InboundEvent, Kind, MetaError, Platform
from chalicelib.scrm.meta.normalise import OBJECT_PLATFORMS, accepted_object, dedupe, split_delivery
from chalicelib.scrm.meta.signature import SIGNATURE_HEADER, sign, verify_handshake, verify_signature
from chalicelib.scrm.meta.status import furthest_status, status_rank

__all__ = [
    "KINDS",
    "OBJECT_PLATFORMS",
    "PLATFORMS",
    "SIGNATURE_HEADER",
    "InboundEvent",
    "Kind",
    "MetaError",
    "Platform",
    "accepted_object",
    "dedupe",
    "furthest_status",
    "sign",
    "split_delivery",
    "status_rank",
    "verify_handshake",
    "verify_signature",
]
