"""The local API: `chalice local`'s server, answering what API Gateway answers in Sapa's shape.

`chalice local` mimics API Gateway's own answers too closely for Sapa: an
unknown path is a 403 "Missing Authentication Token" (or "Authorization header
requires 'Credential'" when a token is sent). A deployed stage answers those
with the gateway responses `sapa_cli.cfn` declares (`sapa_cli.gateway_responses`);
this server gives the same status and body, so the local stack behaves as the
deployed one does. Everything else is chalice's own local server.

Run as `python -m sapa_cli.local.api_server --port 8000` from the project
directory (the stack does); it serves the `local` stage of `.chalice/config.json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from chalice.app import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
)

from sapa_cli.gateway_responses import GatewayAnswer, answer_for_status

ROOT = Path(__file__).resolve().parents[2]


class RouteNotFound(LocalGatewayException):
    """No route has this path: API Gateway's MISSING_AUTHENTICATION_TOKEN, which Sapa answers as a 404."""

    CODE = 404


class SapaLocalGateway(LocalGateway):
    """Chalice's local API Gateway, with the gateway's own answers replaced by Sapa's gateway responses."""

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError as unknown:  # chalice's RouteMatcher: no route has this path
            raise RouteNotFound({}) from unknown

    def handle_request(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        try:
            return super().handle_request(method, path, headers, body)
        except LocalGatewayException as refused:
            return gateway_answer(answer_for_status(refused.CODE), refused.CODE)


def gateway_answer(answer: GatewayAnswer, status: int) -> dict[str, Any]:
    """The response API Gateway gives for `answer`, as a Lambda proxy response dict."""
    return {
        "statusCode": answer.status or status,
        "headers": {"Content-Type": "application/json", "X-Content-Type-Options": "nosniff"},
        "multiValueHeaders": {},
        "body": json.dumps(answer.body(), ensure_ascii=False),
    }


class SapaRequestHandler(ChaliceRequestHandler):
    """Chalice's request handler on `SapaLocalGateway`."""

    def __init__(
        self,
        request: Any,
        client_address: tuple[str, int],
        server: HTTPServer,
        app_object: Chalice,
        config: Config,
    ) -> None:
        self.local_gateway = SapaLocalGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)


def create_server(project_dir: Path, host: str, port: int, stage: str = "local") -> LocalDevServer:
    """What `chalice local --stage <stage>` builds, serving with `SapaRequestHandler`."""
    factory = CLIFactory(str(project_dir), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)  # what `chalice deploy` would refuse, refused here too
    requests_per_thread(app)
    return LocalDevServer(app, config, host, port, handler_cls=SapaRequestHandler)


def requests_per_thread(app: Chalice) -> None:
    """The server answers on threads, so `app.current_request` must be per thread: chalice local's own swap."""
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, type(app))
        app.__class__ = CustomLocalChalice


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"  # as the chalice CLI sets it
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    create_server(ROOT, args.host, args.port, args.stage).serve_forever()


if __name__ == "__main__":
    main()
