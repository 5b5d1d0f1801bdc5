"""A portal's signed identity and the widget's visitor token: only what Sapa's secrets signed is believed."""

from __future__ import annotations

import hashlib
import hmac

from chalicelib.webchat.identity import Signatures

signatures = Signatures("deployment-secret")


def test_the_portal_signs_with_the_site_secret_and_sapa_believes_it() -> None:
    secret = signatures.site_secret("portal")
    made_by_the_portal = hmac.new(secret.encode(), b"CUST-001", hashlib.sha256).hexdigest()

    assert signatures.identity_valid("portal", "CUST-001", made_by_the_portal)
    assert signatures.identity_valid("portal", "CUST-001", made_by_the_portal.upper())


def test_a_forged_or_borrowed_hash_is_refused() -> None:
    good = signatures.identity_hash("portal", "CUST-001")

    assert not signatures.identity_valid("portal", "CUST-002", good)  # someone else's hash
    assert not signatures.identity_valid("other-site", "CUST-001", good)  # another site's secret
    assert not signatures.identity_valid("portal", "CUST-001", "0" * 64)
    assert not signatures.identity_valid("portal", "", good)
    assert not Signatures("another-deployment").identity_valid("portal", "CUST-001", good)


def test_each_site_has_its_own_secret() -> None:
    assert signatures.site_secret("portal") != signatures.site_secret("website")


def test_a_visitor_token_names_its_visitor_and_a_tampered_one_names_nobody() -> None:
    visitor, token = signatures.new_visitor()

    assert signatures.visitor_of(token) == visitor
    other, _ = signatures.new_visitor()
    forged = token.replace(visitor, other)
    assert signatures.visitor_of(forged) is None
    assert signatures.visitor_of(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert signatures.visitor_of("v1.wv_x") is None
    assert signatures.visitor_of(None) is None
    assert Signatures("another-deployment").visitor_of(token) is None
