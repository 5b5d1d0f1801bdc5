"""Standard answer or personal answer: the chatbot's decision for one inbound message, and its words.

A person answers whatever could go wrong when a machine does: complaints,
unhappy customers, messages the classifier is unsure about, media nobody can
read, questions outside the predefined topics. The bot answers the predefined
topics in the customer's language, but only where a free-form reply is
allowed (inside the 24-hour window) and the reply can be addressed.
Every answer text is a jinja2 template under templates/scrm/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core import rendering
from chalicelib.scrm.analysis import Analysis
from chalicelib.scrm.config import ScrmConfig

BOT_TOPICS = ("installment", "due_date", "bpkb", "stnk_tax", "insurance", "early_payoff", "promo", "office_hours")
MAX_TOPICS_PER_ANSWER = 2
LANGUAGES = ("id", "en")
# Meta allows free-form replies for 24 hours after the customer's last message; keep a margin for queues.
WINDOW_SECONDS = 24 * 3600
WINDOW_MARGIN_SECONDS = 10 * 60


@dataclass(frozen=True)
class Facts:
    """What the decision needs to know about one event, already resolved by the worker."""

    kind: str  # message, comment, post, reaction, deleted, system
    channel: str
    text: str | None
    is_test: bool
    age_seconds: float  # how long ago the customer sent it
    can_reply: bool  # we know where a reply would go
    stop_requested: bool = False
    start_requested: bool = False
    person_requested: bool = False  # "mau bicara dengan CS": a handover whatever the classifier says

    @property
    def public(self) -> bool:
        return self.kind in ("comment", "post")

    @property
    def actionable(self) -> bool:
        return self.kind in ("message", "comment", "post")


@dataclass(frozen=True)
class Decision:
    action: str  # auto_reply, agent, stop, start, none
    reason: str
    answer: str | None = None  # topics, menu, praise, lead_ack, comment_invite, handover, stop_/start_confirmation
    topics: tuple[str, ...] = ()
    lead: bool = False

    @property
    def bot_replies(self) -> bool:
        return self.answer is not None

    @property
    def routed(self) -> bool:
        return self.action == "agent"


NONE = Decision("none", "nothing to answer")


def decide(facts: Facts, analysis: Analysis | None, config: ScrmConfig) -> Decision:
    """The decision for one inbound event; pure, so every rule has a test."""
    if facts.is_test:
        return Decision("none", "dashboard test delivery")
    keyword = _keyword(facts)
    if keyword is not None:
        return keyword
    if not facts.actionable:
        return NONE
    if analysis is None or not facts.text:
        return Decision("agent", "no text to classify")
    lead = analysis.category == "lead"
    if facts.person_requested:
        return _handover(facts, "asked for a person", lead)
    reason = _for_a_person(facts, analysis, config)
    if reason is not None:
        return _handover(facts, reason, lead)
    if facts.public:
        if config.comment_mode == "invite":
            return Decision("auto_reply", "public comment", answer="comment_invite", lead=lead)
        return Decision("agent", "public comments are routed", lead=lead)
    if facts.age_seconds > WINDOW_SECONDS - WINDOW_MARGIN_SECONDS:
        return Decision("agent", "outside the 24-hour window", lead=lead)
    return _standard_answer(analysis)


def _handover(facts: Facts, reason: str, lead: bool) -> Decision:
    """To a person. A website visitor waits in an open panel, so the bot says a person is coming; on Meta's
    channels the customer's app shows nothing is pending and the agent's answer comes as any message does."""
    answer = "handover" if facts.channel == "web" and facts.can_reply else None
    return Decision("agent", reason, answer=answer, lead=lead)


def _keyword(facts: Facts) -> Decision | None:
    """STOP and MULAI / START work on WhatsApp messages only, before anything else is considered."""
    if facts.channel != "whatsapp" or facts.kind != "message":
        return None
    if facts.stop_requested:
        return Decision("stop", "stop keyword", answer="stop_confirmation")
    if facts.start_requested:
        return Decision("start", "start keyword", answer="start_confirmation")
    return None


def _for_a_person(facts: Facts, analysis: Analysis, config: ScrmConfig) -> str | None:
    """Why a person must answer whatever the topic, if they must."""
    if analysis.category == "complaint":
        return "complaint"
    if analysis.sentiment == "negative":
        return "negative sentiment"
    if analysis.needs_review:
        return "low confidence"
    if not config.bot_enabled:
        return "chatbot disabled"
    if not facts.can_reply:
        return "no address to reply to"
    return None


def _standard_answer(analysis: Analysis) -> Decision:
    """A private message the bot may answer: a lead, one or two predefined topics, praise, or the menu.

    A prospect asking about a predefined topic ("ada promo apa bulan ini?") gets
    that answer now and is still flagged as a lead for sales to call.
    """
    lead = analysis.category == "lead"
    topics = tuple(t for t in analysis.topics if t in BOT_TOPICS)
    if topics and len(topics) <= MAX_TOPICS_PER_ANSWER:
        return Decision("auto_reply", "predefined topic", answer="topics", topics=topics, lead=lead)
    if lead:
        return Decision("auto_reply", "lead", answer="lead_ack", lead=True)
    if topics:
        return Decision("agent", "too many topics for a standard answer")
    if analysis.category == "praise":
        return Decision("auto_reply", "praise", answer="praise")
    if analysis.category == "other" and set(analysis.topics) <= {"other"}:
        return Decision("auto_reply", "no topic: offer the menu", answer="menu")
    return Decision("agent", "not a predefined topic")


def language_of(detected: str | None, fallback: str | None) -> str:
    """Answer in the language the customer wrote in, else the one on their record, else Indonesian."""
    for candidate in (detected, fallback):
        if candidate in LANGUAGES:
            return str(candidate)
    return "id"


def render_answer(decision: Decision, language: str, context: dict[str, Any]) -> str:
    """The bot's text for a decision, from templates/scrm/ (answers/<topic>.<lang>.txt.j2 per topic)."""
    lang = language if language in LANGUAGES else "id"
    if decision.answer == "topics":
        parts = [rendering.render(f"scrm/answers/{topic}.{lang}.txt.j2", context) for topic in decision.topics]
        return "\n\n".join(parts)
    if decision.answer is None:
        raise ValueError("this decision has no answer")
    return rendering.render(f"scrm/{decision.answer}.{lang}.txt.j2", context)
