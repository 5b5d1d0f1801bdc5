"""How often the chatbot answers website-style questions itself, and how well it knows when to hand over.

    python bench/bot_answers.py [--questions tests/scrm/data/web_questions.jsonl] [--model PATH] [--errors]

Each held-out question carries its expected outcome: the bot topic(s) it should
answer, or "agent" (a request for a person, a complaint, an angry message, a
question outside the topics). Every question goes through what the inbound
worker runs: `classify` (analyser + office-hours keyword), the STOP/START
keywords and the request for a person, and `bot.decide` on a fresh private message with a reply address.
A question counts as answered right when the bot's answer covers the expected
topics (it answers at most two, so a related second topic is tolerated; the exact
share is reported too). The set is never used for training.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from chalicelib.scrm import bot  # noqa: E402
from chalicelib.scrm.analysis import Analyser, Analysis  # noqa: E402
from chalicelib.scrm.analysis.model import DEFAULT_PATH  # noqa: E402
from chalicelib.scrm.classify import classify  # noqa: E402
from chalicelib.scrm.config import ScrmConfig  # noqa: E402
from chalicelib.scrm.keywords import asks_for_person, is_start, is_stop  # noqa: E402

DEFAULT_QUESTIONS = ROOT / "tests" / "scrm" / "data" / "web_questions.jsonl"
AGENT = "agent"
CHANNEL = "web"  # a private chat that is not WhatsApp: no STOP/START keywords, replies allowed


@dataclass(frozen=True)
class Case:
    text: str
    expect: str | tuple[str, ...]  # "agent" or the topics the bot should answer


@dataclass(frozen=True)
class Outcome:
    case: Case
    analysis: Analysis
    decision: bot.Decision

    @property
    def handed_over(self) -> bool:
        return self.decision.routed

    @property
    def right(self) -> bool:
        if self.case.expect == AGENT:
            return self.handed_over
        return self.decision.answer == "topics" and set(self.case.expect) <= set(self.decision.topics)

    @property
    def exact(self) -> bool:
        """Answered with the expected topics and nothing else (or handed over when expected)."""
        return self.right and (self.case.expect == AGENT or set(self.decision.topics) == set(self.case.expect))


def read_cases(path: Path) -> list[Case]:
    cases = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            expect = row["expect"]
            cases.append(Case(row["text"], AGENT if expect == AGENT else tuple(expect)))
    return cases


def decide(text: str, analyser: Analyser, config: ScrmConfig) -> tuple[Analysis, bot.Decision]:
    """The worker's decision for a fresh private message from a visitor we can reply to."""
    analysis = classify(text, analyser)
    facts = bot.Facts(
        kind="message",
        channel=CHANNEL,
        text=text,
        is_test=False,
        age_seconds=5.0,
        can_reply=True,
        stop_requested=is_stop(text),
        start_requested=is_start(text),
        person_requested=asks_for_person(text),
    )
    return analysis, bot.decide(facts, analysis, config)


def run(cases: Sequence[Case], analyser: Analyser, config: ScrmConfig) -> list[Outcome]:
    return [Outcome(case, *decide(case.text, analyser, config)) for case in cases]


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def figures(outcomes: Sequence[Outcome]) -> dict[str, object]:
    """Answer rate, handover precision/recall, accuracy overall and per topic."""
    n = len(outcomes)
    answered = sum(o.decision.bot_replies for o in outcomes)
    handed = [o for o in outcomes if o.handed_over]
    want_agent = [o for o in outcomes if o.case.expect == AGENT]
    topical = [o for o in outcomes if o.case.expect != AGENT]
    true_handover = sum(o.case.expect == AGENT for o in handed)
    per_topic: dict[str, tuple[int, int]] = {}
    for topic in bot.BOT_TOPICS:
        mine = [o for o in topical if topic in o.case.expect]
        per_topic[topic] = (sum(o.right for o in mine), len(mine))
    return {
        "n": n,
        "answer_rate": share(answered, n),
        "topic_answered_right": share(sum(o.right for o in topical), len(topical)),
        "topic_answered_exact": share(sum(o.exact for o in topical), len(topical)),
        "topical": len(topical),
        "handover_precision": share(true_handover, len(handed)),
        "handover_recall": share(true_handover, len(want_agent)),
        "handed": len(handed),
        "want_agent": len(want_agent),
        "accuracy": share(sum(o.right for o in outcomes), n),
        "per_topic": per_topic,
    }


def describe(o: Outcome) -> str:
    a, d = o.analysis, o.decision
    expected = AGENT if o.case.expect == AGENT else "+".join(o.case.expect)
    got = f"{d.action}/{d.answer or '-'}" + (f" {'+'.join(d.topics)}" if d.topics else "")
    return (
        f"  {o.case.text[:70]!r}: expected {expected}, got {got} ({d.reason}; "
        f"{a.category} {a.confidence:.2f}, {a.sentiment}, topics {'+'.join(a.topics)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--model", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--errors", action="store_true", help="list every question with the wrong outcome")
    args = parser.parse_args(argv)

    cases = read_cases(args.questions)
    outcomes = run(cases, Analyser.load(args.model), ScrmConfig())
    f = figures(outcomes)
    n, topical = f["n"], f["topical"]
    print(
        f"website questions: {args.questions} ({n} messages, {topical} on bot topics, {f['want_agent']} for a person)"
    )
    print(f"  answer rate (bot answers itself)     {f['answer_rate']:.3f}")
    print(f"  topic questions answered right       {f['topic_answered_right']:.3f}")
    print(f"  ... with exactly those topics        {f['topic_answered_exact']:.3f}")
    print(f"  handover precision / recall          {f['handover_precision']:.3f} / {f['handover_recall']:.3f}")
    print(f"  outcome accuracy                     {f['accuracy']:.3f}")
    per_topic: dict[str, tuple[int, int]] = f["per_topic"]  # type: ignore[assignment]
    print("  per topic: " + ", ".join(f"{t} {share(r, m):.2f} ({r}/{m})" for t, (r, m) in per_topic.items()))

    if args.errors:
        print("\nmisses:")
        for o in outcomes:
            if not o.right:
                print(describe(o))

    data = f"web questions ({n})"
    print("\n| Bot | Metric | Data | Score |")
    print("|---|---|---|---|")
    print(f"| Answers | answer rate (bot answers itself) | {data} | {f['answer_rate']:.3f} |")
    print(f"| Answers | topic questions answered with the right topics | {data} | {f['topic_answered_right']:.3f} |")
    print(
        f"| Answers | topic questions answered with exactly those topics | {data} | {f['topic_answered_exact']:.3f} |"
    )
    print(f"| Handover | precision | {data} | {f['handover_precision']:.3f} |")
    print(f"| Handover | recall | {data} | {f['handover_recall']:.3f} |")
    print(f"| Outcome | accuracy | {data} | {f['accuracy']:.3f} |")
    for topic, (right, total) in per_topic.items():
        print(f"| Topic | {topic} accuracy ({total}) | {data} | {share(right, total):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
