"""What Sapa's Meta webhook costs on top of the one SQS call it cannot avoid, and how fast analysis runs.

    python -m bench.webhook_intake [--iterations 2000] [--n 20000] [--no-route]

Starts moto in server mode in this process (with Sapa's SQS patch; `bench.common.LocalAws`),
bootstraps every resource on it, then times, interleaved in the same run:

  bare      one `sqs.send_message` of the delivery body: the floor, since Meta's delivery
            must be on a queue before Sapa may answer 200;
  intake    `container.scrm.intake().accept(body, signature)`, exactly what the route
            runs: settings and secret, HMAC-SHA256 check, JSON and object checks, the same
            SendMessage;
  route     the whole Chalice route through `chalice.test.Client` (API Gateway event,
            middleware, Powertools logger and metrics), for information.

The ratio is median(intake) / median(bare) (target <= 1.3x). Analysis figures reuse
bench/analysis.py (macro-F1 on the held-out set, throughput on one core) but run
`chalicelib.scrm.classify.classify`, the code path the inbound worker runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/webhook_intake.py` as well as `python -m bench.webhook_intake`
    sys.path.insert(0, str(ROOT))

from bench.common import LocalAws, Row, machine_line, progress, table, wired  # noqa: E402

APP_SECRET = "bench-meta-app-secret"
TARGET_RATIO = 1.3
FIXTURES = ROOT / "tests" / "scrm" / "fixtures" / "meta"
BODIES = {
    "WhatsApp text": "wa_text.json",
    "Instagram comment": "ig_comment.json",
    "WhatsApp, 3 media messages": "wa_media_mixed.json",
}


def _body(name: str) -> bytes:
    """The fixture as Meta sends it: compact JSON, non-ASCII escaped."""
    return json.dumps(json.loads((FIXTURES / name).read_text()), separators=(",", ":")).encode()


def _time(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure_intake(iterations: int, with_route: bool) -> list[dict[str, Any]]:
    from chalice.test import Client

    import app as sapa_app
    from chalicelib.core.observability import metrics
    from chalicelib.scrm.meta import sign

    container = wired()
    deps = container.scrm
    sqs = container.aws.sqs
    url = container.queue_url("inbound")
    rows = []
    with Client(sapa_app.app, stage_name="local") as client:
        for label, name in BODIES.items():
            body = _body(name)
            text = body.decode()
            signature = sign(body, APP_SECRET)
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}

            def send_bare(text: str = text) -> None:
                sqs.send_message(QueueUrl=url, MessageBody=text)

            def accept(body: bytes = body, signature: str = signature) -> None:
                if not deps.intake().accept(body, signature).queued:
                    raise RuntimeError("the intake did not queue the delivery")

            def post(body: bytes = body, headers: dict[str, str] = headers) -> None:
                response = client.http.post("/webhooks/meta", body=body, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"route answered {response.status_code}: {response.body!r}")
                # The local stage disables EMF output, but Powertools still keeps (and at 100 prints) the set.
                metrics.clear_metrics()

            for _ in range(50):  # warm connections and caches
                send_bare()
                accept()
                if with_route:
                    post()
            progress(f"webhook_intake: {label}, {iterations} interleaved calls per side")
            bare: list[float] = []
            intake: list[float] = []
            route: list[float] = []
            # No purging needed: with Sapa's moto patch a send does not slow down as the queue grows.
            for _ in range(iterations):
                # Interleaved, so drift in the moto server hits every side alike.
                bare.append(_time(send_bare))
                intake.append(_time(accept))
                if with_route:
                    route.append(_time(post))
            row = {
                "body": label,
                "bytes": len(body),
                "bare_ms": statistics.median(bare) * 1000,
                "intake_ms": statistics.median(intake) * 1000,
            }
            if route:
                row["route_ms"] = statistics.median(route) * 1000
            rows.append(row)
    return rows


def _bench_analysis_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_analysis", ROOT / "bench" / "analysis.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("bench/analysis.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure_analysis(n: int) -> dict[str, Any]:
    from chalicelib.scrm.analysis import CATEGORIES, SENTIMENTS, TOPICS, Analyser
    from chalicelib.scrm.classify import classify

    scores = _bench_analysis_module()
    analyser = Analyser.load()
    rows = scores.read_labelled(scores.DEFAULT_LABELLED)
    results = [classify(r["text"], analyser) for r in rows]
    figures: dict[str, Any] = {
        "held_out": len(rows),
        "category": scores.macro_f1([r["category"] for r in rows], [a.category for a in results], CATEGORIES),
        "sentiment": scores.macro_f1([r["sentiment"] for r in rows], [a.sentiment for a in results], SENTIMENTS),
        "language": scores.macro_f1([r["language"] for r in rows], [a.language for a in results], scores.LANGUAGES),
        # office_hours is the chatbot's own topic (keywords), not one the held-out set labels.
        "topics": scores.multilabel_f1(
            [r["topics"] for r in rows], [[t for t in a.topics if t in TOPICS] or ["other"] for a in results], TOPICS
        ),
    }
    smsa = scores.DEFAULT_SMSA / "valid.tsv"
    if smsa.exists():
        valid = scores.read_smsa(smsa)
        predicted = [classify(t, analyser).sentiment for t, _ in valid]
        figures["smsa"] = scores.macro_f1([lab for _, lab in valid], predicted, SENTIMENTS)
        figures["smsa_rows"] = len(valid)

    class WorkerPath:
        @staticmethod
        def analyse(text: str) -> Any:
            return classify(text, analyser)

    figures["n"] = max(n, 20_000)
    progress(f"webhook_intake: analysis throughput over {figures['n']:,} messages")
    figures["throughput"] = scores.throughput(WorkerPath(), [r["text"] for r in rows], figures["n"])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=2000, help="timed calls per body and side")
    parser.add_argument("--n", type=int, default=20_000, help="analyses for the throughput run (min 20k)")
    parser.add_argument("--no-route", action="store_true", help="skip timing the Chalice route")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    with LocalAws({"META_APP_SECRET": APP_SECRET, "META_VERIFY_TOKEN": "bench-verify-token"}):
        intake_rows = measure_intake(args.iterations, with_route=not args.no_route)
    figures = measure_analysis(args.n)

    rows: list[Row] = []
    for r in intake_rows:
        ratio = r["intake_ms"] / r["bare_ms"]
        rows.append(
            Row(
                f"webhook intake ÷ bare SQS SendMessage, {r['body']} ({r['bytes']:,} B), median of {args.iterations}",
                f"{r['intake_ms']:.3f} ms",
                f"{r['bare_ms']:.3f} ms",
                f"{ratio:.2f}×",
                f"≤ {TARGET_RATIO}×",
                ratio <= TARGET_RATIO,
            )
        )
        if "route_ms" in r:
            rows.append(
                Row(
                    f"whole Chalice route (test client, middleware) ÷ bare SendMessage, {r['body']}",
                    f"{r['route_ms']:.3f} ms",
                    f"{r['bare_ms']:.3f} ms",
                    f"{r['route_ms'] / r['bare_ms']:.2f}×",
                )
            )
    held = figures["held_out"]
    rows.append(
        Row(
            "SCRM analysis throughput, one core (worker's classify)",
            f"{figures['throughput']:,.0f} msg/s",
            "—",
            f"{figures['throughput']:,.0f} msg/s",
        )
    )
    rows.append(
        Row(f"category macro-F1, held-out ({held})", f"{figures['category']:.3f}", "—", f"{figures['category']:.3f}")
    )
    rows.append(
        Row(f"sentiment macro-F1, held-out ({held})", f"{figures['sentiment']:.3f}", "—", f"{figures['sentiment']:.3f}")
    )
    if "smsa" in figures:
        label = f"sentiment macro-F1, SmSA valid ({figures['smsa_rows']:,})"
        rows.append(Row(label, f"{figures['smsa']:.3f}", "—", f"{figures['smsa']:.3f}"))
    topics = figures["topics"]
    rows.append(
        Row(
            f"topics micro / macro-F1, held-out ({held})",
            f"{topics['micro']:.3f} / {topics['macro']:.3f}",
            "—",
            f"{topics['micro']:.3f} / {topics['macro']:.3f}",
        )
    )
    rows.append(
        Row(f"language macro-F1, held-out ({held})", f"{figures['language']:.3f}", "—", f"{figures['language']:.3f}")
    )

    print("## Webhook intake and analysis\n")
    print(machine_line() + ".\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
