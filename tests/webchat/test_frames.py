"""Frames from a browser are untrusted: anything malformed is an `error` frame that says what was wrong."""

from __future__ import annotations

import json

import pytest

from chalicelib.webchat import frames
from chalicelib.webchat.frames import FrameRefused


def refusal(body: str | None) -> FrameRefused:
    with pytest.raises(FrameRefused) as refused:
        frames.parse(body)
    return refused.value


def test_each_frame_type_is_read() -> None:
    assert isinstance(frames.parse('{"type": "hello", "visitor": null}'), frames.Hello)
    message = frames.parse(json.dumps({"type": "message", "id": "5f0c2a9e-1b2c", "text": " Halo "}))
    assert isinstance(message, frames.Message)
    assert message.text == "Halo"
    assert frames.parse('{"type": "csat", "score": 5}').score == 5


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (None, "invalid_frame"),
        ("not json", "invalid_frame"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": "shout"}', "invalid_frame"),
        ('{"type": "message", "id": "x", "text": "hi"}', "invalid_frame"),  # an id too short to be the widget's
        ('{"type": "message", "id": "5f0c2a9e-1b2c", "text": ""}', "invalid_frame"),
        ('{"type": "csat", "score": 9}', "invalid_frame"),
        ('{"type": "hello", "language": "fr"}', "invalid_frame"),
        ('{"type": "hello", "identity": {"id": "CUST-1", "hash": "abc"}}', "invalid_frame"),
    ],
)
def test_a_malformed_frame_is_refused_with_a_reason(body: str | None, code: str) -> None:
    refused = refusal(body)

    assert refused.frame()["type"] == "error"
    assert refused.code == code
    assert refused.message


def test_a_message_over_two_thousand_characters_is_too_long() -> None:
    refused = refusal(json.dumps({"type": "message", "id": "5f0c2a9e-1b2c", "text": "a" * 2001}))

    assert refused.code == "too_long"
    assert refused.fields == {"text": "too long"}


def test_the_fields_name_what_was_wrong() -> None:
    refused = refusal('{"type": "prechat", "name": "", "contact": "x"}')

    assert set(refused.fields) == {"name", "contact"}


def test_a_contact_is_a_phone_or_an_email() -> None:
    def kind(contact: str) -> str | None:
        return frames.Prechat(type="prechat", name="Sari", contact=contact).contact_kind

    assert kind("sari@example.co.id") == "email"
    assert kind("0812-3456-7890") == "phone"
    assert kind("+62 812 3456 7890") == "phone"
    assert kind("hello there") is None
