"""An unsubscribe through a campaign e-mail's link counts for that campaign, once."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.customers.unsubscribe import UnsubscribeGrant, make_token, read_token
from tests.campaigns.conftest import ADMIN
from tests.wired import customers as customer_deps
from tests.wired import wired

LINK = re.compile(r"/unsubscribe/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def _sent_email_link(api, add_customer, new_campaign, runner) -> tuple[dict[str, Any], dict[str, Any], str]:
    customer = add_customer(consents={"whatsapp": [], "email": ["promotions"]})
    campaign = new_campaign(channel="email", template="promo_dp_ringan")
    status, body = api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    assert status == 202, body
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    [record] = list(customer_deps.message_log().for_campaign(campaign["id"]))
    found = LINK.search(record["text"])
    assert found, record["text"]
    return customer, {**campaign, "message_id": record["id"]}, found.group(1)


def _unsubscribed(api, campaign_id: str) -> int:
    status, body = api("GET", f"/campaigns/{campaign_id}", None, ADMIN)
    assert status == 200
    return int(body["counts"]["unsubscribed"])


def _click(client, token: str) -> int:
    answer = client.http.post(f"/unsubscribe/{token}", body="", headers={"Content-Type": "text/plain"})
    return int(answer.status_code)


def test_the_link_names_the_message_and_the_withdrawal_counts_once(
    api, client, clock, add_customer, new_campaign, runner, fast_rates
) -> None:
    customer, campaign, token = _sent_email_link(api, add_customer, new_campaign, runner)

    assert _click(client, token) == 200
    assert _click(client, token) == 200  # a double click, or the mailbox provider's retry

    assert _unsubscribed(api, campaign["id"]) == 1
    consents = customer_deps.customer_service().get(customer["id"])["consents"]
    assert "promotions" not in consents["email"]


def test_a_link_without_a_message_still_unsubscribes_and_credits_no_campaign(
    api, client, clock, add_customer, new_campaign, runner, fast_rates
) -> None:
    customer, campaign, _token = _sent_email_link(api, add_customer, new_campaign, runner)
    secret = wired().settings.secret("SAPA_SIGNING_SECRET")
    old_style = make_token(secret, UnsubscribeGrant(customer["id"], "email", "promotions"))

    assert _click(client, old_style) == 200

    assert _unsubscribed(api, campaign["id"]) == 0
    assert "promotions" not in customer_deps.customer_service().get(customer["id"])["consents"]["email"]


def test_the_message_in_a_token_is_signed(api, client, clock, add_customer, new_campaign, runner, fast_rates) -> None:
    customer, campaign, token = _sent_email_link(api, add_customer, new_campaign, runner)
    secret = wired().settings.secret("SAPA_SIGNING_SECRET")
    grant = read_token(secret, token)
    assert grant.message_id == campaign["message_id"]
    forged = make_token("another-secret", UnsubscribeGrant(customer["id"], "email", "promotions", "msg_other"))

    assert _click(client, forged) == 404
    assert _unsubscribed(api, campaign["id"]) == 0
