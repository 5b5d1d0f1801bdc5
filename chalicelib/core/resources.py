"""Every table, queue and alarm Sapa needs, declared once.

Three consumers read this module: the CloudFormation merge template
(`chalicelib.core.cfn`), the bootstrap that creates the same resources on any
endpoint (`chalicelib.core.bootstrap`), and the test fixtures. Adding a table
or queue here is the only step needed to have it everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# One visibility timeout for every queue must outlast every retry of the
# consumer; AWS recommends at least six times the function timeout.
VISIBILITY_FACTOR = 6
# Queued bodies hold personal data (webhook texts, message texts, addresses) that erasure cannot find
# by key, so no copy outlives 72 hours: a dead-letter queue keeps a message's original enqueue time,
# so its 72 hours count from the first enqueue, and the source queue's 48 leave a day to look at poison.
RETENTION_SECONDS = 48 * 3600
DLQ_RETENTION_SECONDS = 72 * 3600


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None
    # "ALL", "KEYS_ONLY" or a tuple of non-key attributes to include.
    projection: str | tuple[str, ...] = "ALL"


@dataclass(frozen=True)
class Table:
    logical: str
    hash_key: str
    range_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    # Key attributes that are numbers; everything else is a string.
    numeric: frozenset[str] = field(default_factory=frozenset)
    purpose: str = ""

    def attribute_type(self, name: str) -> str:
        return "N" if name in self.numeric else "S"

    def key_attributes(self) -> list[str]:
        names: list[str] = []
        for name in (self.hash_key, self.range_key):
            if name and name not in names:
                names.append(name)
        for index in self.indexes:
            for name in (index.hash_key, index.range_key):
                if name and name not in names:
                    names.append(name)
        return names


@dataclass(frozen=True)
class Queue:
    logical: str
    consumer: str  # the Chalice handler name that consumes it
    consumer_timeout: int  # seconds; also written to the function's config
    batch_size: int = 10
    max_receive_count: int = 5
    purpose: str = ""
    # A DLQ with anything in it pages someone: these are messages Sapa gave up on.
    dlq_alarm_threshold: int = 1
    retention_seconds: int = RETENTION_SECONDS
    dlq_retention_seconds: int = DLQ_RETENTION_SECONDS

    @property
    def visibility_timeout(self) -> int:
        return self.consumer_timeout * VISIBILITY_FACTOR

    @property
    def dlq_logical(self) -> str:
        return f"{self.logical}-dlq"


@dataclass(frozen=True)
class Bucket:
    logical: str
    expire_days: int
    purpose: str = ""


TABLES: tuple[Table, ...] = (
    Table(
        "customers",
        hash_key="id",
        indexes=(
            Index("external_id-index", "external_id", projection="KEYS_ONLY"),
            Index("phone-index", "phone", projection="KEYS_ONLY"),
            # Staff find a customer by their address in any case: "email_key" is it lower-cased (sparse).
            Index("email-index", "email_key", projection="KEYS_ONLY"),
            # "MM-DD#Asia/Jakarta": the hourly birthday run reads exactly the
            # customers it greets, one zone and one day at a time.
            Index("birthday-index", "birthday_key", "id"),
            # Sparse: only staff's own numbers, marked as campaign test recipients.
            Index("test-recipient-index", "test_recipient_key", "id", projection="KEYS_ONLY"),
        ),
        purpose="Customer records and their current consents",
    ),
    Table(
        "imports",
        hash_key="id",
        ttl_attribute="expires_at",
        purpose="Customer import jobs: their progress and which chunks are done (counts only, no personal data)",
    ),
    Table(
        "consent",
        hash_key="pk",
        range_key="sk",
        purpose="Consent history (append-only) and the suppression list of salted hashes",
    ),
    Table(
        "access",
        hash_key="pk",
        range_key="sk",
        indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),),
        # Console sessions, sign-in challenges and failure counts expire by themselves.
        ttl_attribute="ttl",
        purpose="The staff directory, API keys (hashed), console sessions (hashed), sign-in throttling, the audit log",
    ),
    Table(
        "messages",
        hash_key="id",
        indexes=(
            Index("customer-index", "customer_id", "created_at"),
            Index("provider-index", "provider_id", projection="KEYS_ONLY"),
            Index("campaign-index", "campaign_id", "id"),
            # Messages waiting with their envelope: "due#<UTC hour>" for contact hours, "halt#<channel>"
            # and "campaign#<id>" for a halt or a pause (sparse: removed when they go).
            Index("parked-index", "parked", "parked_sk", projection="KEYS_ONLY"),
            # A campaign's messages not settled yet, "<state>#<sort>#<id>" (sparse: removed when settled).
            Index("open-index", "open_campaign", "open_sk", projection="KEYS_ONLY"),
        ),
        ttl_attribute="expires_at",
        purpose="Every message sent or received, its delivery status, and the messages waiting to go",
    ),
    Table(
        "idempotency",
        hash_key="id",
        ttl_attribute="expiration",
        purpose="Powertools Idempotency records",
    ),
    Table(
        "greetings",
        hash_key="pk",
        range_key="sk",
        # gsi2pk "customer#<id>" on every call task: erasure finds a customer's calls without a scan.
        indexes=(Index("gsi2", "gsi2pk", "sk", projection="KEYS_ONLY"),),
        ttl_attribute="expires_at",
        purpose="Holiday overrides, greeting run counts and the telemarketers' call list",
    ),
    Table(
        "contracts",
        hash_key="pk",
        range_key="sk",
        indexes=(
            # gsi1pk "customer#<id>" on a contract's terms: a customer's contracts, and erasure, without a scan.
            Index("gsi1", "gsi1pk", "gsi1sk"),
            # Sparse: "<kind>#<date>#<zone>" on an unpaid installment or an open service date only, so the
            # reminder run reads exactly what it reminds; a payment removes it.
            Index("due-index", "due_key", "due_sk"),
            # "YYYY-MM" of the pay-by date on every installment: the overdue rate of a month, by query.
            Index("month-index", "month_key", "month_sk", projection=("pay_by", "status", "paid_at", "last_paid_at")),
            # Sparse: "MM-DD#<zone>" of the start date on an active contract's terms only, so the daily journey
            # run reads exactly the contracts whose anniversary it is.
            Index("anniversary-index", "anniv_key", "pk"),
        ),
        purpose="Financing contracts, their installment schedules and service dates, and payments",
    ),
    Table(
        "campaigns",
        hash_key="pk",
        range_key="sk",
        indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),),
        ttl_attribute="expires_at",
        purpose="Campaigns, their recipients, fan-out checkpoints and frequency-cap ledger",
    ),
    Table(
        "scrm",
        hash_key="pk",
        range_key="sk",
        indexes=(
            Index("gsi1", "gsi1pk", "gsi1sk"),
            Index("gsi2", "gsi2pk", "gsi2sk"),
        ),
        ttl_attribute="expires_at",
        purpose="Conversations, events, dedupe keys, identities, canned replies, leads, metrics",
    ),
    Table(
        "journeys",
        hash_key="pk",
        range_key="sk",
        indexes=(
            Index("gsi1", "gsi1pk", "gsi1sk"),
            # "customer#<id>" on every enrolment and step: what a customer went through, and their erasure.
            Index("gsi2", "gsi2pk", "gsi2sk"),
            # Sparse: only enrolments with a step still to take, "due#<shard>" by the time it is due.
            Index("due-index", "due_shard", "next_due"),
        ),
        purpose="Lifecycle journeys, each customer's enrolments and steps, and the per-step conversion counts",
    ),
    Table(
        "reminders",
        hash_key="pk",
        range_key="sk",
        # "customer#<id>" on every sent step: a customer's, found for erasure without a scan.
        indexes=(Index("gsi1", "gsi1pk", "sk", projection="KEYS_ONLY"),),
        ttl_attribute="expires_at",
        purpose="Reminder runs per date and zone, and every step sent, for the reminder metrics",
    ),
    Table(
        "settings",
        hash_key="pk",
        range_key="sk",
        purpose="Settings staff change at run time: the contact policy, the outbound halt switch",
    ),
    Table(
        "webchat",
        hash_key="pk",
        range_key="sk",
        indexes=(
            # A visitor's open sockets: where a reply to them is pushed (sparse: set once the socket said hello).
            Index("visitor-index", "visitor", projection="KEYS_ONLY"),
            # Sparse: the visitors a portal sign-in tied to a customer, for that customer's erasure.
            Index("customer-index", "customer_id", projection="KEYS_ONLY"),
        ),
        ttl_attribute="expires_at",
        purpose="Website chat: open sockets (2-hour TTL), visitors and their pre-chat consent, rate windows",
    ),
    Table(
        "ratelimits",
        hash_key="pk",
        ttl_attribute="expires_at",
        purpose="Per-channel send-rate windows shared by concurrent workers",
    ),
)

QUEUES: tuple[Queue, ...] = (
    Queue(
        "outbound",
        consumer="send_outbound",
        consumer_timeout=30,
        batch_size=10,
        purpose="One record per message to deliver by WhatsApp or email",
    ),
    Queue(
        "inbound",
        consumer="analyse_inbound",
        consumer_timeout=30,
        batch_size=10,
        purpose="Raw Meta webhook deliveries, verified and waiting for analysis",
    ),
    Queue(
        "fanout",
        consumer="fan_out_audience",
        consumer_timeout=120,
        batch_size=1,
        purpose="Audience segments of a campaign or holiday greeting to expand",
    ),
    Queue(
        "email-events",
        consumer="record_email_event",
        consumer_timeout=30,
        batch_size=10,
        purpose="SES delivery, bounce and complaint notifications (via SNS)",
    ),
)

BUCKETS: tuple[Bucket, ...] = (
    # Deleted by the worker once the delivery is stored; the rule bounds what a failing delivery leaves.
    Bucket("payloads", expire_days=3, purpose="Webhook bodies too large for an SQS message, until processed"),
)

# SES publishes delivery events to this topic; the email-events queue subscribes.
EMAIL_EVENTS_TOPIC = "email-events"
SES_CONFIGURATION_SET = "sapa"


def prefix(stage: str) -> str:
    return f"sapa-{stage}"


def table_name(stage: str, logical: str) -> str:
    return f"{prefix(stage)}-{logical}"


def queue_name(stage: str, logical: str) -> str:
    return f"{prefix(stage)}-{logical}"


def topic_name(stage: str, logical: str) -> str:
    return f"{prefix(stage)}-{logical}"


def configuration_set_name(stage: str) -> str:
    return f"{prefix(stage)}-{SES_CONFIGURATION_SET}"


def table(logical: str) -> Table:
    return next(t for t in TABLES if t.logical == logical)


def queue(logical: str) -> Queue:
    return next(q for q in QUEUES if q.logical == logical)


def queue_for_consumer(consumer: str) -> Queue:
    return next(q for q in QUEUES if q.consumer == consumer)
