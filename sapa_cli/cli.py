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
@click.option("--seed/--no-seed", "with_seed", default=None, help="Seed demo data (default: unless SAPA_SEED=0).")
@click.option("--customers", default=300, show_default=True)
def local(with_seed: bool | None, customers: int) -> None:
    """Run all of Sapa on this machine against a local AWS endpoint."""
    import os

    from sapa_cli.local.stack import AlreadyRunning, run

    if with_seed is None:
        with_seed = os.environ.get("SAPA_SEED", "1") != "0"
    try:
        run(seed=with_seed, customers=customers)
    except AlreadyRunning as error:
        click.echo(f"sapa: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
