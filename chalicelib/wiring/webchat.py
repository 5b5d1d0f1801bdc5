"""The website chat's collaborators: its sites, signatures, table, the socket push and the chat itself."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.webchat.chat import WebChat
    from chalicelib.webchat.identity import Signatures
    from chalicelib.webchat.push import ConnectionPush
    from chalicelib.webchat.sender import Presence, WebSender
    from chalicelib.webchat.sites import Sites
    from chalicelib.webchat.store import WebchatStore
    from chalicelib.wiring.container import Container


class WebchatWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def sites(self) -> Sites:
        from chalicelib.webchat.sites import Sites

        settings = self.root.settings
        options = settings.options
        return Sites.parse(
            options.webchat_sites,
            local_origin=(options.public_url or "").rstrip("/") or None if settings.is_local else None,
            brand=options.brand_name,
        )

    def signatures(self) -> Signatures:
        from chalicelib.webchat.identity import Signatures

        return Signatures(self.root.settings.secret("SAPA_WEBCHAT_SECRET"))

    def store(self) -> WebchatStore:
        from chalicelib.webchat.store import WebchatStore

        return WebchatStore(self.root.table("webchat"))

    @cached_property
    def _push_client(self) -> Any:
        """One per warm process; its endpoint is the WebSocket API's stage, not the AWS endpoint of the rest."""
        url = self.root.settings.options.webchat_push_url
        if not url:
            raise RuntimeError("SAPA_WEBCHAT_PUSH_URL is not set: replies cannot reach the website chat")
        return self.root.aws.session.client("apigatewaymanagementapi", endpoint_url=url)

    def push(self) -> ConnectionPush:
        from chalicelib.webchat.push import ConnectionPush

        return ConnectionPush(self._push_client)

    def sender(self) -> _LazySender:
        """Built lazily: a process that never sends to `web` never needs the push endpoint."""
        return _LazySender(self)

    def presence(self) -> Presence:
        from chalicelib.webchat.sender import Presence

        return Presence(self.store(), self.push())

    def chat(self) -> WebChat:
        from chalicelib.scrm.erasure import erase_conversation, erase_owner
        from chalicelib.webchat.chat import Collaborators, WebChat

        root = self.root
        scrm_table = root.table("scrm")

        def enqueue(body: str) -> None:
            root.aws.sqs.send_message(QueueUrl=root.queue_url("inbound"), MessageBody=body)

        def erase_chat(owner: str, conversation_id: str | None, now: Any) -> None:
            if conversation_id is not None:
                erase_conversation(scrm_table, conversation_id, now)
            else:
                erase_owner(scrm_table, owner, now)

        return WebChat(
            Collaborators(
                sites=self.sites(),
                signatures=self.signatures,
                store=self.store(),
                scrm=root.scrm.scrm_store(),
                customers=root.customers.repository(),
                enqueue=enqueue,
                dispatch=lambda envelopes: root.outbound.dispatcher().dispatch(envelopes),
                erase_chat=erase_chat,
                clock=root.now,
                ip_salt=lambda: root.settings.secret("SAPA_HASH_SALT"),
                brand=root.settings.options.brand_name,
            )
        )


class _LazySender:
    """The `web` sender, made on its first message (the push client needs its endpoint only then)."""

    def __init__(self, wiring: WebchatWiring) -> None:
        self._wiring = wiring
        self._sender: WebSender | None = None

    def send(self, message: Any) -> Any:
        if self._sender is None:
            from chalicelib.webchat.sender import WebSender

            self._sender = WebSender(self._wiring.store(), self._wiring.push(), self._wiring.root.now)
        return self._sender.send(message)
