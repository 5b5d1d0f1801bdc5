"""The README's settings table is the settings model's, generated."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.core.options import Options
from sapa_cli.settings_doc import rewritten, table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")

    assert rewritten(text) == text, "run: python -m sapa_cli.settings_doc --write"


def test_the_table_lists_every_setting_with_its_default() -> None:
    generated = table()

    for field in Options.model_fields.values():
        assert f"| `{field.alias}` |" in generated
    assert "| `SAPA_PROMO_CAP` | integer | `2` | any stage |" in generated


def test_a_readme_without_the_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="no settings table markers"):
        rewritten("# Sapa\n")
