"""The journeys a finance company starts with; staff edit or pause them like any other.

Seeded by `POST /journeys/defaults` rather than at bootstrap: a stage that
does not want them never has them, and seeding again adds only the missing
ones, so a journey staff edited or paused is never reset.
"""

from __future__ import annotations

from typing import Any

WELCOME: dict[str, Any] = {
    "id": "welcome",
    "name": "Welcome on approval",
    "trigger": {"kind": "contract_approved"},
    "steps": [
        {
            # How and where to pay, the app, the due date: about the contract, so a service message.
            "id": "welcome",
            "delay": {"days": 0, "hours": 0},
            "action": {
                "kind": "message",
                "channels": ["whatsapp", "email"],
                "purpose": "service",
                "template": "welcome",
            },
        },
        {
            "id": "welcome_call",
            "delay": {"days": 2, "hours": 0},
            # Fleet contracts are businesses: their account officer calls to walk them through the first payment.
            "condition": {"field": "contract_product", "op": "eq", "value": "fleet"},
            "action": {"kind": "call_task", "note": "Welcome call: how to pay, the virtual account, the due date"},
        },
    ],
    "exit": {"events": ["terminated"]},
}

CROSS_SELL: dict[str, Any] = {
    "id": "cross_sell_month_6",
    "name": "Cross-sell at month 6",
    "trigger": {"kind": "contract_approved"},
    "steps": [
        {
            "id": "insurance_maintenance",
            "delay": {"days": 182, "hours": 0},
            # Vehicle insurance and servicing: for vehicle contracts, not multipurpose loans.
            "condition": {"field": "contract_product", "op": "in", "value": ["car", "fleet"]},
            "action": {
                "kind": "message",
                "channels": ["whatsapp", "email"],
                "purpose": "promotion",
                "template": "cross_sell",
            },
        }
    ],
    "exit": {"events": ["paid_off", "terminated"]},
}

ANNIVERSARY: dict[str, Any] = {
    "id": "contract_anniversary",
    "name": "Contract anniversary",
    "trigger": {"kind": "contract_anniversary"},
    "steps": [
        {
            "id": "anniversary",
            "delay": {"days": 0, "hours": 0},
            "action": {
                "kind": "message",
                "channels": ["whatsapp", "email"],
                "purpose": "service",
                "template": "anniversary",
            },
        }
    ],
    "exit": {"events": ["paid_off", "terminated"]},
}

PAYOFF: dict[str, Any] = {
    "id": "payoff",
    "name": "Paid off",
    "trigger": {"kind": "paid_off"},
    "steps": [
        {
            # Congratulations and the BPKB pick-up: the end of the contract, a service message.
            "id": "congratulations",
            "delay": {"days": 0, "hours": 0},
            "action": {
                "kind": "message",
                "channels": ["whatsapp", "email"],
                "purpose": "service",
                "template": "payoff",
            },
        },
        {
            # The repeat-order offer is a promotion: promotion consent, and the promotion contact hours.
            "id": "repeat_order",
            "delay": {"days": 7, "hours": 0},
            "action": {
                "kind": "message",
                "channels": ["whatsapp", "email"],
                "purpose": "promotion",
                "template": "repeat_order",
            },
        },
    ],
    "exit": {},
}

DEFAULTS: tuple[dict[str, Any], ...] = (WELCOME, CROSS_SELL, ANNIVERSARY, PAYOFF)
