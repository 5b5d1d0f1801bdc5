"""The local AWS endpoint: moto in server mode, with one performance fix.

moto 5.2's `Queue.attributes` recomputes every attribute, including the
`ApproximateNumberOfMessages*` counts that walk the whole queue, and
`send_message` reads it just to check `ContentBasedDeduplication`. Every send
is then O(queue length): a 100,000-recipient fan-out takes hours. The patch
below makes `attributes` a lazy mapping that computes only the keys read, so
sends are O(1) again while `GetQueueAttributes` answers exactly as before.
It is applied only in this entrypoint (and the benchmarks that use it), never
in Sapa's runtime. Worth offering upstream.
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


def serve(host: str, port: int) -> None:
    from moto.server import ThreadedMotoServer

    patch_moto_sqs()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the useful output
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
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
