"""The local AWS endpoint: moto in server mode, with two performance fixes.

moto 5.2's `Queue.attributes` recomputes every attribute, including the
`ApproximateNumberOfMessages*` counts that walk the whole queue, and
`send_message` reads it just to check `ContentBasedDeduplication`. Every send
is then O(queue length): a 100,000-recipient fan-out takes hours. The patch
below makes `attributes` a lazy mapping that computes only the keys read, so
sends are O(1) again while `GetQueueAttributes` answers exactly as before.

moto's TransactWriteItems backs up for rollback by copying every table it
touches once per item (`patch_moto_transactions`): customer imports, consent
changes, the campaign fan-out and the message log all write in transactions,
so without it a local import of a few thousand rows takes minutes per batch.

Sent e-mail is kept by moto but not exposed: `sapa_cli.local.ses_outbox` serves
it at `/_sapa/ses/messages` (the console's mail viewer and the SES event
simulator read it).

All are applied only in this entrypoint (and the benchmarks that use it),
never in Sapa's runtime or its tests. Worth offering upstream.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.sqs import models as sqs_models

_PATCHED = False
# moto's own implementation, kept to compare against and to restore.
ORIGINAL_ATTRIBUTES = sqs_models.Queue.attributes


class LazyQueueAttributes(Mapping[str, Any]):
    """`Queue.attributes` computed key by key, same keys and values as moto's."""

    def __init__(self, queue: sqs_models.Queue) -> None:
        self._queue = queue

    def _names(self) -> list[str]:
        queue = self._queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:  # type: ignore[attr-defined]
            names += queue.KMS_ATTRIBUTES
        if queue.policy and "Policy" not in names:
            names.append("Policy")
        if queue.redrive_policy and "RedrivePolicy" not in names:
            names.append("RedrivePolicy")
        return names

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        queue = self._queue
        if name == "Policy" and queue.policy:
            value: Any = queue.policy
        elif name == "RedrivePolicy" and queue.redrive_policy:
            value = json.dumps(queue.redrive_policy)
        else:
            value = getattr(queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def patch_moto_sqs() -> None:
    global _PATCHED
    if _PATCHED:
        return
    sqs_models.Queue.attributes = property(LazyQueueAttributes)  # type: ignore[assignment,method-assign]
    _PATCHED = True


def patch_moto_transactions() -> None:
    """Make moto's TransactWriteItems cost what the transaction touches, not the whole table.

    moto 5.2.5 backs up for rollback by deep-copying the *entire table once per
    item* in the transaction (`DynamoDBBackend.transact_write_items`), so a
    100-item transaction on a 100,000-item table copies ten million items: the
    outbound dispatcher's batched log writes (`MessageLog.create_many`) turn a
    local fan-out into hours and tens of GB. This keeps moto's code and
    semantics but replaces the table copy with an undo log of the items the
    transaction names, restored when it is cancelled. Like `patch_moto_sqs`, it
    belongs in `sapa_cli/local/aws_server.py` (and upstream); it lives here
    until then so this benchmark can run at all.
    """
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.table import Table

    if getattr(dynamodb_models, "_sapa_transactions_patched", False):
        return

    class _NoTableCopy:
        """moto's module-level `copy`, except that tables are not copied (the undo log replaces the backup)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        undo: list[tuple[str, dict[str, Any], Any]] = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            if "Item" in op:
                key = {name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            else:
                key = op.get("Key")
            if not key or any(value is None for value in key.values()):
                continue
            try:
                undo.append((table.name, key, copy.deepcopy(self.get_item(table.name, key))))
            except Exception:  # noqa: BLE001 - a bad key fails the transaction itself, with moto's own error
                continue
        dynamodb_models.copy = no_table_copy  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, old in reversed(undo):
                if old is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, old.to_json()["Attributes"])
            raise
        finally:
            dynamodb_models.copy = copy  # type: ignore[assignment]

    no_table_copy = _NoTableCopy()
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    dynamodb_models._sapa_transactions_patched = True  # type: ignore[attr-defined]


def _server(host: str, port: int) -> Any:
    """moto's threaded server, its app wrapped so the SES outbox answers on the same port."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    from sapa_cli.local.ses_outbox import with_outbox

    class WithOutbox(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = with_outbox(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return WithOutbox(ip_address=host, port=port, verbose=False)


def serve(host: str, port: int) -> None:
    from sapa_cli.local.ses_outbox import patch_moto_ses

    patch_moto_sqs()
    patch_moto_transactions()
    patch_moto_ses()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the useful output
    server = _server(host, port)
    server.start()
    print(f"local AWS endpoint on http://{host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Sapa's local AWS endpoint (moto server mode)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    args = parser.parse_args()
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
