"""Frames to a browser's socket: API Gateway's Management API (`post_to_connection`), behind a small port.

The same adapter serves the websocket handlers and the outbound sender, which
runs in another function with no websocket event to configure Chalice's own
`app.websocket_api` from; it takes the endpoint from settings
(`https://<api id>.execute-api.<region>.amazonaws.com/<stage>`, locally the
gateway's admin port).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class ConnectionPush:
    def __init__(self, client: Any) -> None:
        self.client = client  # boto3 apigatewaymanagementapi, endpoint_url set

    def send(self, connection_id: str, frame: Mapping[str, Any]) -> bool:
        """False when the socket is gone (the browser left): the caller forgets it."""
        data = json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=data)
        except self.client.exceptions.GoneException:
            return False
        return True

    def close(self, connection_id: str) -> None:
        try:
            self.client.delete_connection(ConnectionId=connection_id)
        except self.client.exceptions.GoneException:
            pass
