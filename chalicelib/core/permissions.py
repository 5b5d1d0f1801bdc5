"""What each Lambda function may do in AWS, declared once, one table per function.

`sapa_cli.cfn` turns this into each function's IAM role, and the tests check
it both ways: every AWS call a handler makes while the scenarios run is
allowed by its role, and every use declared here is one a handler was seen
making (tests/core/test_permissions.py). A new call therefore fails a test
until it is declared here, and a need that goes away fails one until it is
removed. At run time only the cold-start check reads it (which secrets this
function must find before it serves anything); no handler imports it.

Uses of a table, each one or two IAM actions:

    get       GetItem
    batch-get BatchGetItem (the sender's one consistent read of customer, halt and campaign)
    query     Query on the table itself
    query:IX  Query on the index IX only
    scan      Scan on the table (parallel segments for audiences)
    put       PutItem (also a Put inside TransactWriteItems)
    update    UpdateItem (also an Update inside a transaction)
    delete    DeleteItem (also a Delete inside a transaction)
    describe  DescribeTable (health check, item count to size a fan-out)

BatchWriteItem is granted to no function: it carries deletes as well as puts,
and IAM cannot tell them apart. `partitions` limits a use to items whose
partition key matches (IAM's `dynamodb:LeadingKeys`).

Uses of a queue: `send` (SendMessage, batches included, and GetQueueUrl to
find it), `url` (GetQueueUrl only), `depth` (GetQueueAttributes), `visibility`
(ChangeMessageVisibility). A consumer may always receive, delete and read the
attributes of its own queue: Lambda's event source mapping does that with the
function's role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.core import resources

TABLE_USES = ("get", "batch-get", "query", "scan", "put", "update", "delete", "describe")
QUEUE_USES = ("send", "url", "depth", "visibility")
PAYLOAD_USES = ("put", "get", "delete")

AUDIT_PARTITION = "audit"  # chalicelib.access.audit.PARTITION: append-only for every role
TOKEN_PARTITIONS = ("token#*",)  # what the authorizer resolves an API key from
STAFF_PARTITIONS = ("staff#*",)  # the staff directory: a Cognito token's role and when it was last re-issued
CONSOLE_PARTITIONS = ("session#*", "challenge#*", "signin#*")  # console sessions, first sign-ins, throttling
ROSTER_PARTITION = "staff"  # gsi1 of the staff directory: every staff member and their role
ON_DUTY_PARTITION = "session"  # gsi1 of the console sessions: who is signed in now
# Re-subscribing removes a suppression entry; the consent history beside it ("customer#...") is never deleted.
SUPPRESSION_PARTITIONS = ("suppressed#*",)


@dataclass(frozen=True)
class TableAccess:
    """One table a function uses, how, and (optionally) which partitions only."""

    table: str
    uses: str  # space-separated: "get put query:phone-index"
    partitions: tuple[str, ...] = ()

    @property
    def use_set(self) -> frozenset[str]:
        return frozenset(self.uses.split())

    @property
    def indexes(self) -> tuple[str, ...]:
        return tuple(sorted(u.split(":", 1)[1] for u in self.use_set if u.startswith("query:")))


@dataclass(frozen=True)
class Needs:
    """Everything one function asks of AWS besides its logs and traces."""

    why: str
    tables: tuple[TableAccess, ...] = ()
    queues: dict[str, str] = field(default_factory=dict)  # queue logical name -> uses
    payloads: str = ""  # the large-payload bucket: "put", "get"
    email: bool = False  # SES SendEmail from the stage's sender, in its configuration set
    secrets: tuple[str, ...] = ()  # SSM parameters /sapa/<stage>/<NAME>
    staff_pool: str = ""  # Cognito actions on the staff user pool: "AdminInitiateAuth ListUsers"
    sockets: bool = False  # execute-api:ManageConnections on the website chat's WebSocket API (post, close)


T = TableAccess

FUNCTIONS: dict[str, Needs] = {
    "api_handler": Needs(
        "Every route: customers, consent, erasure (the only deleter of customer items), campaigns, greetings, "
        "the SCRM inbox, the outbound halt and contact policy, webhook intake, the audit log, the health check",
        tables=(
            T(
                "customers",
                "get batch-get put delete scan query:phone-index query:email-index query:birthday-index "
                "query:test-recipient-index describe",
            ),
            T("consent", "get batch-get query put describe"),
            T("consent", "delete", partitions=SUPPRESSION_PARTITIONS),
            T("access", "put query", partitions=(AUDIT_PARTITION,)),
            T("access", "get put update delete", partitions=CONSOLE_PARTITIONS),
            T("access", "get", partitions=STAFF_PARTITIONS),
            # The roster: who may take a conversation (an assignment must name one of them).
            T("access", "query:gsi1", partitions=(ROSTER_PARTITION,)),
            T("access", "describe"),
            T(
                "messages",
                "get batch-get put update query:customer-index query:parked-index query:open-index describe "
                "query:campaign-index",  # the console's recipient list of a campaign
            ),
            T("campaigns", "get query put update delete query:gsi1 describe"),
            T("greetings", "get query put update query:gsi2 describe"),
            # Erasure deletes the customer's call tasks (name, phone, script): found by gsi2, partitions calls#<date>.
            T("greetings", "delete", partitions=("calls#*",)),
            T("scrm", "get query put update delete query:gsi1 query:gsi2 describe"),
            # Journeys: their definitions (listed by gsi1), counts, a customer's enrolments (gsi2) and their erasure.
            T("journeys", "get put update delete query:gsi1 query:gsi2 describe"),
            T("settings", "get put delete describe"),
            T("idempotency", "describe"),
            T("ratelimits", "describe"),
            # Import jobs: created here, their progress read here; the fan-out consumer runs the chunks.
            T("imports", "get put describe"),
            # Contracts and payments from the financing system; erasure deletes a customer's contracts.
            # A reminder run by hand reads the due index; the reminder metrics, installments and the month-index.
            T("contracts", "put update delete query query:gsi1 describe batch-get query:due-index query:month-index"),
            # A reminder run by hand records its run and each step sent; the metrics read them; erasure deletes.
            T("reminders", "put update query delete query:gsi1 describe"),
            # The website chat: its sites' config; an agent's presence pushed to the visitor's sockets;
            # erasure deletes the visitors a portal sign-in tied to the customer.
            T("webchat", "delete query:visitor-index query:customer-index describe"),
        ),
        queues={"outbound": "send depth", "fanout": "send", "inbound": "send", "email-events": "url"},
        payloads="put get",  # webhook bodies and import files in; an import's rejected rows out
        secrets=("META_APP_SECRET", "META_VERIFY_TOKEN", "SAPA_SIGNING_SECRET", "SAPA_HASH_SALT"),
        sockets=True,  # "agent joined" and "typing" reach the visitor's widget
        # The console signs staff in server-side and signs them out of every device.
        staff_pool="ListUsers AdminInitiateAuth AdminRespondToAuthChallenge AdminListGroupsForUser "
        "AdminUserGlobalSignOut",
    ),
    "staff_auth": Needs(
        "Resolves an API key's hash, or a verified Cognito token's user, to a staff member: one GetItem",
        tables=(T("access", "get", partitions=TOKEN_PARTITIONS + STAFF_PARTITIONS),),
    ),
    "send_outbound": Needs(
        "The sender: claims a message, re-reads consent, halt and pause, calls WhatsApp or SES, marks the outcome",
        tables=(
            T("customers", "batch-get"),
            T("messages", "get update"),
            T("campaigns", "batch-get update"),
            T("contracts", "batch-get"),  # a queued reminder's installment: paid since, it is cancelled
            T("settings", "get batch-get"),
            T("greetings", "query"),
            # A greeting's outcome (sent, failed, parked) is counted on its date's run record.
            T("greetings", "update", partitions=("runs",)),
            T("access", "put", partitions=(AUDIT_PARTITION,)),
            # A website chat reply: the visitor's open sockets, and forgetting the ones that are gone.
            T("webchat", "delete query:visitor-index"),
        ),
        queues={"outbound": "url visibility"},
        email=True,
        secrets=("WHATSAPP_ACCESS_TOKEN", "META_PAGE_ACCESS_TOKEN"),
        sockets=True,
    ),
    "record_email_event": Needs(
        "SES delivery, bounce and complaint events: the message log, consent withdrawal, the suppression list",
        tables=(
            T("customers", "get put"),
            T("consent", "put"),
            T("messages", "get update"),
            T("campaigns", "update"),
            T("greetings", "update", partitions=("runs",)),  # a greeting e-mail delivered or bounced
            T("access", "put", partitions=(AUDIT_PARTITION,)),
        ),
        secrets=("SAPA_HASH_SALT",),
    ),
    "release_waiting_messages": Needs(
        "Queues parked messages whose contact hours opened, unless outbound is halted",
        tables=(
            T("messages", "batch-get update query:parked-index"),
            T("campaigns", "update"),
            T("greetings", "update", partitions=("runs",)),  # a greeting that waited since its run
            T("settings", "get put"),
        ),
        queues={"outbound": "send"},
    ),
    "greet_hourly": Needs(
        "Birthday and holiday greetings: the birthday index, the holiday calendar, the call list",
        tables=(
            T("customers", "query:birthday-index"),
            T("messages", "batch-get put"),
            T("greetings", "query put update"),
            T("settings", "get"),
        ),
        queues={"outbound": "send", "fanout": "send"},
        secrets=("SAPA_SIGNING_SECRET",),
    ),
    "remind_hourly": Needs(
        "Payment and vehicle reminders: the contracts' due index, the customers, a message logged and queued or a "
        "collection call, each step recorded once",
        tables=(
            T("contracts", "query:due-index"),
            T("customers", "batch-get"),
            T("messages", "batch-get put"),
            T("reminders", "get put update"),
            T("greetings", "query put"),  # the holiday calendar (contact days) and the collection desk's call list
            T("settings", "get"),  # the ladder and the contact policy
        ),
        queues={"outbound": "send"},
    ),
    "advance_journeys": Needs(
        "Takes the journeys' due steps: the due index, the customer, a message logged and queued or a call task",
        tables=(
            T("journeys", "put update query:gsi1 query:due-index"),
            T("customers", "get"),
            # A step retried after a crash finds its message logged: read back, queued again only if still queued.
            T("messages", "batch-get put"),
            T("greetings", "query put"),  # the holiday calendar (contact days) and the call list
            T("settings", "get"),
        ),
        queues={"outbound": "send"},
        secrets=("SAPA_SIGNING_SECRET",),  # the unsubscribe link of a promotional e-mail
    ),
    "journey_dates": Needs(
        "Fires the day's date triggers: birthdays and contract anniversaries from their indexes enrol and take a "
        "first step due at once",
        tables=(
            T("journeys", "put update query:gsi1"),
            T("customers", "get query:birthday-index"),
            T("contracts", "query:anniversary-index"),  # the day's contract anniversaries
            T("messages", "put"),  # a first step retried is the quarter-hourly schedule's (advance_journeys)
            T("greetings", "query put"),  # the holiday calendar (contact days) and the call list
            T("settings", "get"),
        ),
        queues={"outbound": "send"},
        secrets=("SAPA_SIGNING_SECRET",),  # the unsubscribe link of a promotional e-mail
    ),
    "fan_out_audience": Needs(
        "Expands one audience segment of a campaign or holiday into outbound messages; runs customer import chunks "
        "and takes contracts' events into the journeys",
        tables=(
            # An import chunk writes customers and their consent history (one transaction each, versioned).
            T("customers", "get batch-get scan put"),
            T("consent", "get batch-get put"),
            T("imports", "get update"),
            T("messages", "batch-get put update query:campaign-index query:open-index"),
            T("campaigns", "get batch-get query put update delete"),
            T("greetings", "query put update"),
            T("settings", "get"),
            # A template failing past the render-error threshold pauses the campaign: audited as Sapa's act.
            T("access", "put", partitions=(AUDIT_PARTITION,)),
            # A contract's event (approved, paid off, terminated): the customer, enrolments, exits, first steps, counts.
            T("journeys", "put update query:gsi1 query:gsi2"),
        ),
        queues={"outbound": "send", "fanout": "send"},  # an import chunk queues the next one
        payloads="get put delete",  # an import's file (read, deleted at the end) and its rejected rows
        secrets=("SAPA_SIGNING_SECRET", "SAPA_HASH_SALT"),
    ),
    "start_scheduled_campaigns": Needs(
        "Starts campaigns whose send_at has come and completes the ones with nothing left to settle",
        tables=(
            T("customers", "describe"),
            T("messages", "query:parked-index query:open-index"),
            T("campaigns", "get query put update delete"),
            T("settings", "get"),
            T("access", "put", partitions=(AUDIT_PARTITION,)),
        ),
        queues={"fanout": "send"},
    ),
    "analyse_inbound": Needs(
        "Analyses Meta deliveries: dedupe, conversations, leads, STOP/MULAI consent, bot replies, message statuses",
        tables=(
            T("customers", "get batch-get put query:phone-index"),
            T("consent", "put"),
            T("consent", "delete", partitions=SUPPRESSION_PARTITIONS),
            T("messages", "get put update query:provider-index"),
            T("campaigns", "update"),
            T("scrm", "get put update"),
            # Routing: each agent's open load (the open queue of gsi1), the roster and who is on duty,
            # and the assignment's audit record.
            T("scrm", "query:gsi1"),
            T("access", "query:gsi1", partitions=(ROSTER_PARTITION, ON_DUTY_PARTITION)),
            T("access", "put", partitions=(AUDIT_PARTITION,)),
            T("greetings", "put"),
            T("greetings", "update", partitions=("runs",)),  # a greeting's WhatsApp status
        ),
        queues={"outbound": "send"},
        payloads="get delete",  # a body read through S3 is deleted once its events are stored
        secrets=("SAPA_HASH_SALT",),
    ),
    # The website chat's WebSocket API: Chalice names its three functions websocket_connect / _message / _disconnect.
    "websocket_connect": Needs(
        "Accepts a website chat socket: the site's origin allowlist and the per-address connection rate",
        tables=(T("webchat", "put update", partitions=("conn#*", "rate#*")),),
        secrets=("SAPA_HASH_SALT",),
    ),
    "websocket_message": Needs(
        "One frame of a website chat socket: hello (identity, history), the pre-chat form and its consent, a "
        "message onto the inbound queue, the transcript by e-mail, the visitor's deletion of the chat",
        tables=(
            T("webchat", "get update delete"),
            T("customers", "get"),  # a portal sign-in's customer; their e-mail for the transcript
            # The visitor's thread and its events (history); a portal sign-in's identity link; deletion blanks them.
            T("scrm", "get query put update query:gsi2"),
            # The transcript e-mail, logged before it is queued; asked twice, the log says it is queued already.
            T("messages", "put batch-get"),
        ),
        queues={"inbound": "send", "outbound": "send"},
        secrets=("SAPA_WEBCHAT_SECRET",),
        sockets=True,
    ),
    "websocket_disconnect": Needs(
        "Forgets a closed website chat socket", tables=(T("webchat", "delete", partitions=("conn#*",)),)
    ),
}


def needs(function: str) -> Needs:
    return FUNCTIONS[function]


def problems() -> list[str]:
    """What in the declaration names a table, index, queue or use that does not exist."""
    found: list[str] = []
    tables = {t.logical: t for t in resources.TABLES}
    queues = {q.logical for q in resources.QUEUES}
    for function, need in FUNCTIONS.items():
        for access in need.tables:
            table = tables.get(access.table)
            if table is None:
                found.append(f"{function}: no table {access.table}")
                continue
            index_names = {i.name for i in table.indexes}
            for use in access.use_set:
                name = use.split(":", 1)
                if name[0] not in TABLE_USES or (len(name) == 2 and (name[0] != "query" or name[1] not in index_names)):
                    found.append(f"{function}: {access.table} has no use {use!r}")
        for queue, uses in need.queues.items():
            if queue not in queues:
                found.append(f"{function}: no queue {queue}")
            found.extend(f"{function}: {queue} has no use {u!r}" for u in uses.split() if u not in QUEUE_USES)
        found.extend(f"{function}: payloads has no use {u!r}" for u in need.payloads.split() if u not in PAYLOAD_USES)
    return found
