"""Every text Sapa sends or shows comes from a jinja2 template in templates/.

The directory sits next to chalicelib/ both in the repository and in the
Lambda bundle (packaged through vendor/), so one path works in both places.
HTML is autoescaped; a missing variable is an error, never an empty greeting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def rupiah(amount: Any) -> str:
    """1500000 -> "Rp1.500.000", the way Indonesians write money."""
    try:
        value = round(float(amount))
    except (TypeError, ValueError):
        return str(amount)
    return "Rp" + f"{value:,}".replace(",", ".")


def first_name(name: Any) -> str:
    parts = str(name or "").split()
    return parts[0] if parts else ""


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["rupiah"] = rupiah
    env.filters["first_name"] = first_name
    return env


def render(name: str, context: dict[str, Any]) -> str:
    return environment().get_template(name).render(**context).strip()


def exists(name: str) -> bool:
    return (TEMPLATES_DIR / name).is_file()
