"""`sapa`: the operator's command line (bootstrap, seed, local run, and more).

Commands that talk to AWS find the running local stack by themselves (from
`.sapa/stack.json`), unless `AWS_ENDPOINT_URL` or a deployed `SAPA_STAGE` says
where to go. An expected failure — no stack, a bad file, an AWS error — is one
line on stderr and exit status 1, never a traceback (`SAPA_DEBUG=1` shows it).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click


def describe(error: BaseException) -> str:
    """One readable line for an error a user can act on."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    from chalicelib.core.settings import MissingSecret
    from sapa_cli.local.endpoints import NoLocalStack
    from sapa_cli.local.stack import AlreadyRunning
    from sapa_cli.local.state import StateUnreadable

    if isinstance(error, NoLocalStack | AlreadyRunning | MissingSecret | TimeoutError):
        return str(error)
    if isinstance(error, StateUnreadable):
        return f"cannot restore the local state: {error}; `sapa local --fresh` starts empty (and deletes it)"
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code, message = details.get("Code", "Error"), details.get("Message", "")
        hint = " (has `sapa bootstrap` run for this stage?)" if code == "ResourceNotFoundException" else ""
        return f"AWS refused {error.operation_name}: {code}: {message}{hint}"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach the AWS endpoint {error.kwargs.get('endpoint_url')}: is the local stack still running?"
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION"
    if isinstance(error, BotoCoreError):
        return f"AWS: {error}"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return f"unexpected {type(error).__name__}: {error} (SAPA_DEBUG=1 prints the traceback)"


class SapaGroup(click.Group):
    """Turns any error a command raises into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if os.environ.get("SAPA_DEBUG"):
                raise
            fail(describe(error))


def fail(message: str) -> None:
    from chalicelib.core.observability import mask_text  # an AWS message can quote a key: a phone, an e-mail

    click.echo(f"sapa: {mask_text(message)}", err=True)
    sys.exit(1)


def connect() -> None:
    """Point this process at the running local stack, unless an endpoint or a deployed stage is given."""
    if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("SAPA_STAGE", "local") != "local":
        return
    from sapa_cli.local.endpoints import find_stack, state_dir

    os.environ.update(find_stack(state_dir()).environment())


@click.group(cls=SapaGroup)
def main() -> None:
    """Sapa — Social CRM automation on AWS."""


@main.command()
def bootstrap() -> None:
    """Create every table, queue, topic and bucket on the configured AWS endpoint."""
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings
    from sapa_cli.bootstrap import bootstrap as run_bootstrap

    connect()
    report = run_bootstrap(Settings.from_env(), AwsClients())
    click.echo(f"created {len(report.created)}, already there {len(report.existing)}")


@main.command()
@click.option("--customers", default=300, show_default=True, help="How many synthetic customers to create.")
def seed(customers: int) -> None:
    """Load synthetic demo customers spread over WIB, WITA and WIT."""
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings
    from sapa_cli.seed import seed_demo

    connect()
    click.echo(seed_demo(Settings.from_env(), AwsClients(), customers))


@main.command()
@click.option(
    "--seed/--no-seed", "with_seed", default=None, help="Seed demo data on a first run (default: unless SAPA_SEED=0)."
)
@click.option("--customers", default=300, show_default=True)
@click.option("--fresh", is_flag=True, help="Start empty: delete the state saved by earlier runs first.")
@click.option(
    "--email-bounce-rate",
    type=click.FloatRange(0, 1),
    default=None,
    help="Share of e-mail recipients that hard-bounce (SAPA_EMAIL_BOUNCE_RATE, default 0).",
)
@click.option(
    "--email-complaint-rate",
    type=click.FloatRange(0, 1),
    default=None,
    help="Share of e-mail recipients that complain (SAPA_EMAIL_COMPLAINT_RATE, default 0).",
)
@click.option(
    "--email-event-delay",
    type=click.FloatRange(0),
    default=None,
    help="Seconds from SES accepting a message to its delivery event (SAPA_EMAIL_EVENT_DELAY_SECONDS, default 1).",
)
@click.option(
    "--at",
    default=None,
    metavar="WHEN",
    help="Run the stack's clock from this moment (HH:MM today in WIB, or an ISO date-time), "
    "to watch offers go out whatever the hour here; SAPA_CLOCK_OFFSET_SECONDS.",
)
def local(
    with_seed: bool | None,
    customers: int,
    fresh: bool,
    email_bounce_rate: float | None = None,
    email_complaint_rate: float | None = None,
    email_event_delay: float | None = None,
    at: str | None = None,
) -> None:
    """Run all of Sapa on this machine; the data is kept in .sapa/state between runs."""
    from sapa_cli.local.clock import BadClockTime, offset_to, parse_at
    from sapa_cli.local.stack import run

    if at is not None:
        now = datetime.now(UTC)
        try:
            os.environ["SAPA_CLOCK_OFFSET_SECONDS"] = str(offset_to(parse_at(at, now), now))
        except BadClockTime as error:
            raise click.BadParameter(str(error), param_hint="--at") from None

    for name, value in (
        ("SAPA_EMAIL_BOUNCE_RATE", email_bounce_rate),
        ("SAPA_EMAIL_COMPLAINT_RATE", email_complaint_rate),
        ("SAPA_EMAIL_EVENT_DELAY_SECONDS", email_event_delay),
    ):
        if value is not None:
            os.environ[name] = str(value)
    if with_seed is None:
        with_seed = os.environ.get("SAPA_SEED", "1") != "0"
    sys.exit(run(seed=with_seed, customers=customers, fresh=fresh))


@main.group()
def staff() -> None:
    """Staff: console users (Cognito, with --email) and API keys for machine clients (without)."""


def _directory() -> Any:
    from chalicelib.core.aws import AwsClients
    from chalicelib.wiring.container import Container

    connect()
    return Container(AwsClients()).access.directory()


ROLES = ["admin", "marketer", "agent", "telemarketer", "viewer"]


@staff.command("add")
@click.option("--name", required=True, help="The handle audit entries and assignments use: a-z, 0-9, . _ -")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--email", default=None, help="A console user signing in with this e-mail; without it, an API key.")
@click.option("--password", default=None, help="A permanent password (scripts); otherwise a temporary one is printed.")
def staff_add(name: str, role: str, email: str | None, password: str | None) -> None:
    """Create a console user (--email) or an API key; the secret is printed once, on the last line."""
    from chalicelib.access.cognito import PasswordRejected
    from chalicelib.access.directory import InvalidStaff
    from chalicelib.access.tokens import StaffExists

    if password is not None and email is None:
        raise click.UsageError("--password is for console users: give --email too")
    directory = _directory()
    try:
        added = directory.add_user(name, email, role, password) if email else directory.add_api_key(name, role)
    except StaffExists:
        click.echo(f"sapa: staff member {name!r} already exists; revoke first to add again", err=True)
        sys.exit(1)
    except (InvalidStaff, PasswordRejected, ValueError) as error:
        click.echo(f"sapa: {error}", err=True)
        sys.exit(1)
    _audit("staff.added", name, role=role, kind=added.kind)
    if added.kind == "api_key":
        click.echo(f"{name} ({role}) added. The API key is shown once; store it now:")
        click.echo(added.secret)
    elif added.secret is None:
        click.echo(f"{name} ({role}) added; signs in at /console/login with the password given.")
    else:
        click.echo(f"{name} ({role}) added. Temporary password (a new one is asked at the first sign-in):")
        click.echo(added.secret)


@staff.command("list")
def staff_list() -> None:
    for member in _directory().list():
        kind = "console" if member["kind"] == "cognito" else "api-key"
        click.echo(f"{member['name']}\t{member['role']}\t{kind}\t{member.get('email') or '-'}\t{member['created_at']}")


@staff.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def staff_set_role(name: str, role: str) -> None:
    """Change a role; the person's console sessions end and earlier tokens stop working."""
    from chalicelib.access.tokens import UnknownStaff

    try:
        _directory().set_role(name, role)
    except UnknownStaff:
        click.echo(f"sapa: no staff member {name!r}", err=True)
        sys.exit(1)
    _audit("staff.role_changed", name, role=role)
    click.echo(f"{name} is now {role}")


@staff.command("revoke")
@click.argument("name")
def staff_revoke(name: str) -> None:
    from chalicelib.access.tokens import UnknownStaff

    try:
        _directory().revoke(name)
    except UnknownStaff:
        click.echo(f"sapa: no staff member {name!r}", err=True)
        sys.exit(1)
    _audit("staff.revoked", name)
    click.echo(f"{name} revoked")


def _audit(action: str, target: str, **details: str) -> None:
    import getpass
    from datetime import UTC, datetime

    from chalicelib.access.audit import AuditLog
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings

    table = AwsClients().table(Settings.from_env().table_name("access"))
    AuditLog(table).record(f"cli:{getpass.getuser()}", action, target, datetime.now(UTC), **details)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--progress-every", default=2.0, show_default=True, help="Seconds between progress lines on stderr (long files)."
)
def import_csv(path: Path, progress_every: float) -> None:
    """Import customers from a CSV file of any size (streamed; memory stays flat)."""
    import csv
    import json

    from chalicelib.core.aws import AwsClients
    from chalicelib.customers.csv_rows import InvalidCsv
    from chalicelib.customers.routes import csv_import_rows
    from chalicelib.customers.service import Actor
    from chalicelib.wiring.container import Container
    from sapa_cli.progress import ImportProgress

    connect()
    progress = ImportProgress(sys.stderr, every=progress_every)
    again = "importing the same file again once fixed is safe: unchanged rows are skipped"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            report = (
                Container(AwsClients())
                .customers.customer_service()
                .import_rows(progress.track(csv_import_rows(handle)), Actor("cli", "import"))
            )
        except InvalidCsv as error:
            fail(f"cannot import: {json.dumps(error.fields)}")
        except UnicodeDecodeError:
            fail(f"{path} is not UTF-8 text (stopped after {progress.rows:,} rows); save it as CSV UTF-8; {again}")
        except csv.Error as error:
            fail(f"{path} is not a CSV file this import reads (after {progress.rows:,} rows: {error}); {again}")
    progress.finish()
    click.echo(json.dumps(report.body(), indent=2))


from sapa_cli.analyse import analyse  # noqa: E402 - registered after the group is defined

main.add_command(analyse)


if __name__ == "__main__":
    main()
