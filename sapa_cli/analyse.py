"""`sapa analyse`: classify messages from stdin, one JSON line in, one JSON line out.

    echo '{"text": "Kapan BPKB saya bisa diambil?"}' | sapa analyse
    {"category": "question", "sentiment": "neutral", "sentiment_score": 0.01, "topics": ["bpkb"], "language": "id"}

Runs exactly what the inbound worker runs (`chalicelib.scrm.classify`). A line
that is not a JSON object with a string "text" gets {"error": ...} in its place,
so output lines always match input lines; the exit status is then 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("analyse")
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Model file (default: the shipped chalicelib/scrm/analysis/model.json.gz).",
)
def analyse(model: Path | None) -> None:
    """Classify JSON lines {"text": ...} from stdin: category, sentiment, sentiment_score, topics, language."""
    from chalicelib.scrm.analysis import Analyser
    from chalicelib.scrm.classify import classify, summary

    analyser = Analyser.load(model)
    out = sys.stdout
    failed = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            failed += 1
            result: dict[str, object] = {"error": 'expected a JSON object with a string "text"'}
        else:
            result = summary(classify(record["text"], analyser))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    if failed:
        click.echo(f"sapa analyse: {failed} line(s) were not {{'text': ...}} objects", err=True)
        sys.exit(1)


if __name__ == "__main__":  # python -m sapa_cli.analyse
    analyse()
