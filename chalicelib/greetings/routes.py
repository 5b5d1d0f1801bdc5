"""HTTP routes of the greetings context."""

from __future__ import annotations

from chalice.app import Blueprint

bp = Blueprint(__name__)
