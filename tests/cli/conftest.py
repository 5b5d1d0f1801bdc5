"""A real local AWS endpoint in this process: moto's server on a free port, bootstrapped like `make run`'s."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings


@dataclass(frozen=True)
class LocalAws:
    endpoint: str
    settings: Settings
    aws: AwsClients

    def reset(self) -> None:
        """Empty the endpoint, as a restart of the local AWS process does."""
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10)

    def bootstrap(self) -> None:
        from sapa_cli.bootstrap import bootstrap

        bootstrap(self.settings, self.aws)


@pytest.fixture(scope="module")
def local_aws() -> Iterator[LocalAws]:
    """One bootstrapped endpoint per test module (bootstrapping over HTTP takes seconds), reached over HTTP.

    Tests share it: each uses its own keys, and one that needs an empty endpoint resets and bootstraps it.
    """
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import app
    from chalicelib.wiring.container import Container

    process_container = app.app.container
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", endpoint)
        local = LocalAws(endpoint, Settings.from_env(), AwsClients())
        app.app.container = Container(local.aws)  # the handlers reach this endpoint over HTTP
        local.reset()
        local.bootstrap()
        try:
            yield local
        finally:
            local.reset()
            app.app.container = process_container
            server.stop()
