"""Every word the console shows has its Indonesian: a screen never shows half its words in English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jinja2 import Environment

from chalicelib.console import i18n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "console"
CONSOLE_CODE = ROOT / "chalicelib" / "console"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_messages() -> dict[str, str]:
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for _, _, message in env.extract_translations(path.read_text(encoding="utf-8")):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found[text] = path.name
    return found


def _code_messages() -> dict[str, str]:
    """Literal arguments of `translate(...)`/`_(...)` calls in the console's Python code."""
    found: dict[str, str] = {}
    for path in sorted(CONSOLE_CODE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("translate", "_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found[node.args[0].value] = path.name
    return found


def test_the_templates_have_words_to_translate() -> None:
    assert "Sign in" in _template_messages()


def test_every_word_in_the_templates_and_the_console_code_has_its_indonesian() -> None:
    messages = {**_template_messages(), **_code_messages()}

    missing = sorted(f"{where}: {text!r}" for text, where in messages.items() if text not in i18n.INDONESIAN)

    assert missing == [], "add to chalicelib/console/i18n.py INDONESIAN:\n" + "\n".join(missing)


def test_each_translation_keeps_the_placeholders_of_its_english() -> None:
    differing = [
        english
        for english, indonesian in i18n.INDONESIAN.items()
        if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(indonesian))
    ]

    assert differing == []


def test_english_is_the_message_itself_and_indonesian_the_default() -> None:
    assert i18n.gettext("en")("Sign in") == "Sign in"
    assert i18n.gettext("id")("Sign in") == i18n.INDONESIAN["Sign in"]
    assert i18n.DEFAULT_LANGUAGE == "id"
