"""The Meta-approved WhatsApp templates Sapa knows of, from the file greetings send theirs by.

`templates/whatsapp_templates.json` maps each occasion and language to an approved
template (its name, language and body parameters). The greetings fill the
parameters from the customer; in the inbox an agent fills them by hand when
WhatsApp's 24-hour window is closed, and the satisfaction question uses its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.core import rendering

CSAT_OCCASION = "csat"
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    occasion: str
    parameters: tuple[str, ...]  # what each of {{1}}, {{2}}, ... stands for
    body: str | None  # the approved text, when Sapa keeps a copy

    def render(self, values: Sequence[str]) -> str:
        """The text as the customer will read it (what the message log and the thread show)."""
        if self.body is None:
            return f"[{self.name}] " + " | ".join(values)
        return _PLACEHOLDER.sub(lambda m: _nth(values, int(m.group(1))), self.body)

    def public(self) -> dict[str, object]:
        return {
            "name": self.name,
            "language": self.language,
            "occasion": self.occasion,
            "parameters": list(self.parameters),
            "body": self.body,
        }


def _nth(values: Sequence[str], position: int) -> str:
    return values[position - 1] if 0 < position <= len(values) else ""


@lru_cache(maxsize=1)
def approved() -> tuple[Template, ...]:
    data = json.loads((rendering.TEMPLATES_DIR / "whatsapp_templates.json").read_text())
    found: list[Template] = []
    for occasion, languages in data.items():
        if occasion.startswith("_") or not isinstance(languages, dict):
            continue
        for mapping in languages.values():
            found.append(
                Template(
                    name=str(mapping["name"]),
                    language=str(mapping["language"]),
                    occasion=occasion,
                    parameters=tuple(str(p) for p in mapping.get("params") or ()),
                    body=mapping.get("body"),
                )
            )
    return tuple(sorted(found, key=lambda t: (t.occasion, t.name)))


def find(name: str) -> Template | None:
    return next((t for t in approved() if t.name == name), None)


def for_occasion(occasion: str, language: str) -> Template:
    candidates = [t for t in approved() if t.occasion == occasion]
    return next((t for t in candidates if t.language == language), candidates[0])
