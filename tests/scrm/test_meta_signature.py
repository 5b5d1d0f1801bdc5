"""Meta webhook authenticity: X-Hub-Signature-256 and the hub.challenge handshake."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.scrm.meta.signature import SIGNATURE_HEADER, sign, verify_handshake, verify_signature

FIXTURES = Path(__file__).parent / "fixtures" / "meta"


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def _raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


VECTOR = _json("wa_signature_vector.json")
BODY = _raw(VECTOR["raw_body_file"])
SECRET: str = VECTOR["app_secret"]
HEADER: str = VECTOR["header"]


def test_header_name_is_the_sha256_one() -> None:
    assert SIGNATURE_HEADER == "X-Hub-Signature-256"


def test_known_answer_vector_computed_by_openssl_verifies() -> None:
    assert sign(BODY, SECRET) == HEADER
    assert verify_signature(BODY, HEADER, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda h: h.upper().replace("SHA256=", "sha256="), id="uppercase-hex"),
        pytest.param(lambda h: "SHA256=" + h.removeprefix("sha256="), id="uppercase-prefix"),
        pytest.param(lambda h: f"  {h}\n", id="surrounding-whitespace"),
    ],
)
def test_harmless_header_variations_still_verify(header: Any) -> None:
    assert verify_signature(BODY, header(HEADER), SECRET)


def test_tampered_body_does_not_verify() -> None:
    tampered = BODY.replace(b"sudah lunas", b"belum lunas")
    assert tampered != BODY
    assert not verify_signature(tampered, HEADER, SECRET)


def test_wrong_secret_does_not_verify() -> None:
    assert not verify_signature(BODY, HEADER, "0" * 32)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256",
        HEADER.removeprefix("sha256="),  # bare hex, no algorithm prefix
        "sha1=" + "a" * 40,  # legacy X-Hub-Signature value in the wrong header
        "sha256=" + "a" * 63,
        "sha256=" + "a" * 65,
        "sha256=" + "g" * 64,
        "sha256=" + HEADER.removeprefix("sha256=")[:-1] + "é",
        "md5=" + HEADER.removeprefix("sha256="),
    ],
)
def test_missing_or_malformed_header_is_rejected(header: str | None) -> None:
    assert not verify_signature(BODY, header, SECRET)


def test_empty_app_secret_fails_closed_even_with_a_matching_mac() -> None:
    assert not verify_signature(BODY, sign(BODY, ""), "")


def test_body_must_be_bytes_not_decoded_text() -> None:
    with pytest.raises(TypeError):
        verify_signature(BODY.decode("ascii"), HEADER, SECRET)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_bodies_are_accepted() -> None:
    assert verify_signature(bytearray(BODY), HEADER, SECRET)
    assert verify_signature(memoryview(BODY), HEADER, SECRET)


@pytest.mark.parametrize("name", ["wa_signed_text.raw.json", "ig_dashboard_test_reaction.raw.json"])
def test_non_ascii_is_signed_over_the_escaped_raw_bytes(name: str) -> None:
    """Meta sends emoji as \\uXXXX escapes; any re-serialisation changes the bytes and must not verify."""
    raw = _raw(name)
    assert raw.isascii()
    assert b"\\u" in raw
    header = sign(raw, SECRET)
    assert verify_signature(raw, header, SECRET)

    parsed = json.loads(raw)
    reserialised = [
        json.dumps(parsed).encode("utf-8"),
        json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        json.dumps(parsed, indent=2).encode("utf-8"),
        json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode("utf-8"),
    ]
    for body in reserialised:
        assert json.loads(body) == parsed
        assert body != raw
        assert not verify_signature(body, header, SECRET)


@given(body=st.binary(max_size=2048), secret=st.text(min_size=1, max_size=64))
def test_sign_then_verify_round_trips(body: bytes, secret: str) -> None:
    assert verify_signature(body, sign(body, secret), secret)


@given(body=st.binary(min_size=1, max_size=512), secret=st.text(min_size=1, max_size=64), data=st.data())
def test_any_single_byte_change_breaks_the_signature(body: bytes, secret: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(body) - 1))
    flipped = bytearray(body)
    flipped[index] ^= data.draw(st.integers(1, 255))
    assert not verify_signature(bytes(flipped), sign(body, secret), secret)


@given(header=st.one_of(st.none(), st.text(max_size=100)))
def test_arbitrary_header_text_never_raises(header: str | None) -> None:
    assert verify_signature(BODY, header, SECRET) is (header is not None and header.strip().lower() == HEADER)


HANDSHAKE_CASES = _json("handshake.json")["cases"]


@pytest.mark.parametrize("case", HANDSHAKE_CASES, ids=[str(i) for i in range(len(HANDSHAKE_CASES))])
def test_handshake_cases(case: dict[str, Any]) -> None:
    assert verify_handshake(case["params"], case["verify_token"]) == case["expected"]


def test_handshake_accepts_any_mapping_and_tolerates_none() -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": "t0ken"}
    assert verify_handshake(MappingProxyType(params), "t0ken") == "42"
    assert verify_handshake(None, "t0ken") is None
    assert verify_handshake({}, "t0ken") is None


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "SUBSCRIBE", "hub.challenge": "42", "hub.verify_token": "t0ken"},
        {"hub.mode": "subscribe", "hub.challenge": "", "hub.verify_token": "t0ken"},
        {"hub.mode": "subscribe", "hub.challenge": "9" * 257, "hub.verify_token": "t0ken"},
        {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": "t0ken "},
    ],
)
def test_handshake_rejects_near_misses(params: dict[str, str]) -> None:
    assert verify_handshake(params, "t0ken") is None


@given(token=st.text(max_size=40), configured=st.text(min_size=1, max_size=40), challenge=st.text(max_size=40))
def test_handshake_only_echoes_on_exact_token_match(token: str, configured: str, challenge: str) -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": token}
    result = verify_handshake(params, configured)
    assert result == (challenge if token == configured and challenge else None)
