"""A morning at the finance company, played on a freshly seeded local stack.

Demo customers alone make an empty console: no conversation in the inbox, no
campaign, no greeting sent. This plays, through the same doors production
uses (Meta's signed webhooks and the staff API over HTTP), what a newcomer
should find on first start: customers writing in on WhatsApp (a question, a
complaint, praise, a lead, strangers), campaigns in each state (sent, paused,
scheduled, cancelled, a draft, an e-mail one) and today's greetings run. The
WhatsApp sandbox then reports each message delivered and read, so funnels and
timelines move on their own.

It runs once, after the seed, in the background of `sapa local`; nothing here
is needed for Sapa to work, so a step that fails is logged and skipped.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from chalicelib.core.zones import WIB as JAKARTA
from chalicelib.core.zones import local_date
from chalicelib.scrm.meta.signature import sign

WIB = timezone(timedelta(hours=7))

# What customers write on a Monday morning (the analysis decides what each is).
CUSTOMER_MESSAGES = (
    "Halo, saya mau tanya sisa angsuran mobil saya berapa ya?",
    "Kenapa tagihan saya bulan ini naik? Saya kecewa, sudah bayar tepat waktu tapi kena denda.",
    "Terima kasih, proses pencairannya cepat sekali. Pelayanan mantap!",
    "BPKB saya kapan bisa diambil? Sudah lunas bulan lalu.",
    "Bagaimana cara pelunasan dipercepat? Ada potongan bunga?",
    "Aplikasi tidak bisa dibuka dari kemarin, saya jadi tidak bisa cek tagihan.",
)
STRANGER_MESSAGES = (
    ("6281377712345", "Saya tertarik kredit mobil baru, DP nya berapa untuk Avanza?"),
    ("6285799887766", "Info syarat pengajuan pinjaman dana tunai dong kak"),
)


@dataclass
class Played:
    """What the demo did, for the one line `sapa local` prints."""

    conversations: int = 0
    campaigns: dict[str, int] = field(default_factory=dict)
    greeted: int | None = None
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.campaigns.items())) or "none"
        greeted = "not run" if self.greeted is None else f"run, {self.greeted} newly queued"
        text = f"demo activity: {self.conversations} inbound messages, campaigns {states}, today's greetings {greeted}"
        return text + (f" ({len(self.problems)} step(s) skipped: {'; '.join(self.problems)})" if self.problems else "")


class Api:
    """The staff API and the webhook, over HTTP, as the console's users and Meta reach them."""

    def __init__(self, base: str, admin_token: str, app_secret: str) -> None:
        self.base = base.rstrip("/")
        self._auth = {"Authorization": f"Bearer {admin_token}"}
        self._secret = app_secret

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {**self._auth, **({"Content-Type": "application/json"} if data is not None else {})}
        return self._send(urllib.request.Request(f"{self.base}{path}", data=data, method=method, headers=headers))

    def webhook(self, payload: dict[str, Any]) -> int:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, self._secret)}
        request = urllib.request.Request(f"{self.base}/webhooks/meta", data=body, method="POST", headers=headers)
        return self._send(request)[0]

    @staticmethod
    def _send(request: urllib.request.Request) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, None


def whatsapp_text(phone_number_id: str, sender: str, name: str, text: str, at: float) -> dict[str, Any]:
    """One inbound WhatsApp text, in the Cloud API's webhook shape."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6282130001234", "phone_number_id": phone_number_id},
                            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": f"wamid.DEMO{uuid.uuid4().hex.upper()}",
                                    "timestamp": str(int(at)),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _whatsapp_customers(api: Api, wanted: int) -> Iterator[dict[str, Any]]:
    """Seeded customers who agreed to WhatsApp, first found first."""
    status, page = api.call("GET", "/customers?limit=100")
    if status != 200:
        return
    found = 0
    for customer in page.get("items") or []:
        if customer.get("phone") and (customer.get("consents") or {}).get("whatsapp"):
            yield customer
            found += 1
            if found == wanted:
                return


def _conversations(api: Api, phone_number_id: str, now: float, played: Played) -> None:
    customers = list(_whatsapp_customers(api, len(CUSTOMER_MESSAGES)))
    senders = [(c["phone"].lstrip("+"), c["name"], text) for c, text in zip(customers, CUSTOMER_MESSAGES, strict=False)]
    senders += [(phone, "", text) for phone, text in STRANGER_MESSAGES]
    for minutes_ago, (phone, name, text) in zip(range(len(senders) * 7, 0, -7), senders, strict=False):
        if api.webhook(whatsapp_text(phone_number_id, phone, name, text, now - minutes_ago * 60)) == 200:
            played.conversations += 1
        else:
            played.problems.append("a webhook was refused")


def _campaign(api: Api, played: Played, body: dict[str, Any], *then: str) -> None:
    status, campaign = api.call("POST", "/campaigns", body)
    if status != 201:
        played.problems.append(f"campaign {body['name']!r}: {status}")
        return
    state = campaign.get("status", "draft")
    for action in then:
        status, answer = api.call("POST", f"/campaigns/{campaign['id']}/{action}", {})
        if status >= 300:
            played.problems.append(f"campaign {body['name']!r} {action}: {status}")
            break
        state = (answer or {}).get("status", state)
    played.campaigns[state] = played.campaigns.get(state, 0) + 1


def _in_province(name: str) -> dict[str, Any]:
    return {"all": [{"field": "province", "op": "eq", "value": name}]}


def _campaigns(api: Api, today: date, played: Played) -> None:
    tomorrow_nine = datetime.combine(today + timedelta(days=1), datetime.min.time(), WIB).replace(hour=9)
    whatsapp = {"channel": "whatsapp", "template": "promo_dp_ringan"}
    _campaign(api, played, {"name": "DP Ringan Bali", **whatsapp, "segment": _in_province("Bali")}, "send")
    _campaign(
        api,
        played,
        {"name": "DP Ringan Jawa Barat (e-mail)", "channel": "email", "template": "promo_dp_ringan"}
        | {"segment": _in_province("Jawa Barat")},
        "send",
    )
    _campaign(api, played, {"name": "DP Ringan Jakarta", **whatsapp, "segment": _in_province("DKI Jakarta")}, "send")
    _campaign(
        api,
        played,
        {"name": "Servis Berkala Toyota", **whatsapp}
        | {"segment": {"all": [{"field": "vehicle_brand", "op": "eq", "value": "Toyota"}]}},
        "send",
        "pause",
    )
    _campaign(
        api,
        played,
        {"name": "Promo Akhir Tahun", **whatsapp, "segment": _in_province("Jawa Timur")}
        | {"send_at": tomorrow_nine.isoformat()},
    )
    _campaign(
        api,
        played,
        {"name": "Promo Gajian (dibatalkan)", **whatsapp, "segment": _in_province("Sulawesi Selatan")}
        | {"send_at": tomorrow_nine.isoformat()},
        "cancel",
    )
    _campaign(api, played, {"name": "Promo Lebaran (draf)", **whatsapp, "segment": {"all": []}})


def play(api: Api, phone_number_id: str, today: date, now: float | None = None) -> Played:
    """Conversations, campaigns and today's greetings, in the order a morning brings them."""
    played = Played()
    moment = time.time() if now is None else now
    for step in (
        lambda: _conversations(api, phone_number_id, moment, played),
        lambda: _campaigns(api, today, played),
    ):
        try:
            step()
        except (OSError, ValueError, KeyError) as error:
            played.problems.append(f"{type(error).__name__}")
    try:
        status, report = api.call("POST", "/greetings/runs", {"date": today.isoformat()})
        if status == 200:
            played.greeted = int(report.get("birthday", 0)) + int(report.get("holiday", 0))
        else:
            played.problems.append(f"greeting run: {status}")
    except (OSError, ValueError) as error:
        played.problems.append(f"greeting run: {type(error).__name__}")
    return played


def play_in_background(
    api: Api, phone_number_id: str, log: Callable[[str], None], clock: Callable[[], datetime]
) -> None:
    """`sapa local`'s entry: play once on the stack's clock, print the line; never raise into the stack."""
    import threading

    def run() -> None:
        try:
            now = clock()
            log(f"[sapa] {play(api, phone_number_id, local_date(now, JAKARTA), now.timestamp()).describe()}")
        except Exception as error:  # noqa: BLE001 - the demo is a nicety; the stack goes on without it
            log(f"[sapa] demo activity stopped: {type(error).__name__}")

    threading.Thread(target=run, name="demo-activity", daemon=True).start()
