"""Lazily created boto3 clients around one injected session.

Clients are made on first use, never at import: moto only intercepts clients
created after it starts, and a Lambda cold start should not pay for clients a
handler never touches. `AWS_ENDPOINT_URL` (read by botocore itself) points
every client at a local endpoint.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import boto3

_RETRIES = {"max_attempts": 5, "mode": "adaptive"}


class AwsClients:
    """One place that owns the boto3 session and the clients made from it."""

    def __init__(self, session: boto3.session.Session | None = None, region: str | None = None) -> None:
        self._session = session
        self._region = region
        self._clients: dict[str, Any] = {}
        self._resources: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(region_name=self._region)
        return self._session

    def client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            from botocore.config import Config

            with self._lock:
                client = self._clients.get(service)
                if client is None:
                    client = self.session.client(
                        service,
                        config=Config(retries=_RETRIES, max_pool_connections=50),
                    )
                    self._clients[service] = client
        return client

    def resource(self, service: str) -> Any:
        resource = self._resources.get(service)
        if resource is None:
            with self._lock:
                resource = self._resources.get(service)
                if resource is None:
                    resource = self.session.resource(service)
                    self._resources[service] = resource
        return resource

    @property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @property
    def sqs(self) -> Any:
        return self.client("sqs")

    def table(self, name: str) -> Any:
        """A boto3 Table resource: native Python values in and out."""
        return self.resource("dynamodb").Table(name)

    def reset(self) -> None:
        """Forget every client (tests start a fresh moto between cases)."""
        with self._lock:
            self._clients.clear()
            self._resources.clear()
            self._session = None
