"""`sapa`: the operator's command line (bootstrap, seed, local run, and more)."""

from __future__ import annotations

import sys

import click


@click.group()
def main() -> None:
    """Sapa — Social CRM automation on AWS."""


@main.command()
def bootstrap() -> None:
    """Create every table, queue, topic and bucket on the configured AWS endpoint."""
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings
    from sapa_cli.bootstrap import bootstrap as run_bootstrap

    report = run_bootstrap(Settings.from_env(), AwsClients())
    click.echo(f"created {len(report.created)}, already there {len(report.existing)}")


@main.command()
@click.option("--customers", default=300, show_default=True, help="How many synthetic customers to create.")
def seed(customers: int) -> None:
    """Load synthetic demo customers spread over WIB, WITA and WIT."""
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings
    from sapa_cli.seed import seed_demo

    click.echo(seed_demo(Settings.from_env(), AwsClients(), customers))


@main.command()
@click.option(
    "--seed/--no-seed", "with_seed", default=None, help="Seed demo data on a first run (default: unless SAPA_SEED=0)."
)
@click.option("--customers", default=300, show_default=True)
@click.option("--fresh", is_flag=True, help="Start empty: delete the state saved by earlier runs first.")
def local(with_seed: bool | None, customers: int, fresh: bool) -> None:
    """Run all of Sapa on this machine; the data is kept in .sapa/state between runs."""
    import os

    from sapa_cli.local.stack import AlreadyRunning, run

    if with_seed is None:
        with_seed = os.environ.get("SAPA_SEED", "1") != "0"
    try:
        status = run(seed=with_seed, customers=customers, fresh=fresh)
    except AlreadyRunning as error:
        click.echo(f"sapa: {error}", err=True)
        sys.exit(1)
    sys.exit(status)


@main.group()
def staff() -> None:
    """Staff tokens: add, list, revoke."""


def _staff_store():
    from chalicelib.access.tokens import StaffStore
    from chalicelib.core.aws import AwsClients
    from chalicelib.core.settings import Settings

    return StaffStore(AwsClients().table(Settings.from_env().table_name("access")))


@staff.command("add")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "marketer", "agent", "viewer"]))
def staff_add(name: str, role: str) -> None:
    """Create a staff member; the token is printed once, on the last line."""
    from datetime import UTC, datetime

    from chalicelib.access.roles import Role
    from chalicelib.access.tokens import StaffExists

    try:
        token = _staff_store().add(name, Role(role), datetime.now(UTC))
    except StaffExists:
        click.echo(f"sapa: staff member {name!r} already exists; revoke first to issue a new token", err=True)
        sys.exit(1)
    _audit("staff.added", name, role=role)
    click.echo(f"{name} ({role}) added. The token is shown once; store it now:")
    click.echo(token)


@staff.command("list")
def staff_list() -> None:
    for member in _staff_store().list():
        click.echo(f"{member['name']}\t{member['role']}\t{member['created_at']}")


@staff.command("revoke")
@click.argument("name")
def staff_revoke(name: str) -> None:
    from chalicelib.access.tokens import UnknownStaff

    try:
        _staff_store().revoke(name)
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
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_csv(path: str) -> None:
    """Import customers from a CSV file of any size (streamed; memory stays flat)."""
    import json

    from chalicelib.customers import deps
    from chalicelib.customers.csv_rows import InvalidCsv
    from chalicelib.customers.routes import csv_import_rows
    from chalicelib.customers.service import Actor

    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            report = deps.customer_service().import_rows(csv_import_rows(handle), Actor("cli", "import"))
        except InvalidCsv as error:
            click.echo(f"sapa: cannot import: {json.dumps(error.fields)}", err=True)
            sys.exit(1)
    click.echo(json.dumps(report.body(), indent=2))


from sapa_cli.analyse import analyse  # noqa: E402 - registered after the group is defined

main.add_command(analyse)


if __name__ == "__main__":
    main()
