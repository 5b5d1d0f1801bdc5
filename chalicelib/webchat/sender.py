"""The outbound channel adapter for `web`: a bot answer or an agent's reply pushed to the visitor's open sockets.

It sits behind the same outbound queue and message log as WhatsApp, so a reply
is sent once whatever SQS redelivers. A visitor with no socket open (the tab
closed) still has the reply: it is in the conversation, and the widget gets it
in the history of its next `hello`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.outbound.provider import SendResult
from chalicelib.scrm import times
from chalicelib.webchat.push import ConnectionPush
from chalicelib.webchat.store import WebchatStore


def message_frame(message: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    agent = message.get("agent")
    frame: dict[str, Any] = {
        "type": "message",
        "id": message.get("message_id"),
        "from": "agent" if message.get("occasion") == "reply" else "bot",
        "text": message.get("text") or "",
        "at": times.iso(at),
    }
    if agent and frame["from"] == "agent":
        frame["agent"] = agent
    if message.get("occasion") == "csat":
        frame["csat"] = True
    return frame


def tell_visitor(store: WebchatStore, push: ConnectionPush, visitor: str, frame: Mapping[str, Any]) -> int:
    """The frame to each of the visitor's open sockets; a socket gone without a goodbye is forgotten. Sockets told."""
    told = 0
    for connection_id in store.connections_of(visitor):
        if push.send(connection_id, frame):
            told += 1
        else:
            store.close_connection(connection_id)
    return told


class WebSender:
    def __init__(self, store: WebchatStore, push: ConnectionPush, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.push = push
        self.clock = clock

    def send(self, message: Mapping[str, Any]) -> SendResult:
        tell_visitor(self.store, self.push, str(message["recipient"]), message_frame(message, self.clock()))
        return SendResult(provider_id=f"web:{message.get('message_id')}")


class Presence:
    """What a visitor sees of the agent before the reply: that one joined, and that they are typing."""

    def __init__(self, store: WebchatStore, push: ConnectionPush) -> None:
        self.store = store
        self.push = push

    def joined(self, conversation: Mapping[str, Any], agent: str) -> int:
        return self._tell(conversation, {"type": "agent_joined", "name": agent})

    def typing(self, conversation: Mapping[str, Any], agent: str) -> int:
        return self._tell(conversation, {"type": "typing", "name": agent})

    def _tell(self, conversation: Mapping[str, Any], frame: dict[str, Any]) -> int:
        """Sockets told; nothing for a conversation on another channel."""
        if conversation.get("channel") != "web" or not conversation.get("sender_id"):
            return 0
        return tell_visitor(self.store, self.push, str(conversation["sender_id"]), frame)
