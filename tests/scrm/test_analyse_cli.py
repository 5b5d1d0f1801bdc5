"""`sapa analyse`: JSON lines in, JSON lines out, the worker's own classification."""

from __future__ import annotations

import json

from click.testing import CliRunner

from chalicelib.scrm.classify import classify, summary
from sapa_cli.analyse import analyse

TEXTS = [
    "Kapan BPKB saya bisa diambil?",
    "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!",
    "What are your office hours on Saturday?",
]


def test_each_input_line_gets_one_output_line_with_the_five_fields() -> None:
    stdin = "\n".join(json.dumps({"text": t}) for t in TEXTS) + "\n"

    result = CliRunner().invoke(analyse, [], input=stdin)

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(TEXTS)
    for text, line in zip(TEXTS, lines, strict=True):
        assert set(line) == {"category", "sentiment", "sentiment_score", "topics", "language"}
        assert line == summary(classify(text))


def test_the_worker_and_the_cli_agree_on_office_hours() -> None:
    result = CliRunner().invoke(analyse, [], input=json.dumps({"text": TEXTS[2]}) + "\n")

    assert "office_hours" in json.loads(result.stdout)["topics"]


def test_a_line_that_is_not_a_text_object_keeps_its_place_and_fails_the_run() -> None:
    stdin = json.dumps({"text": TEXTS[0]}) + "\nnot json\n\n" + json.dumps({"message": "x"}) + "\n"

    result = CliRunner().invoke(analyse, [], input=stdin)

    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("error" in line) for line in lines] == [False, True, True]
