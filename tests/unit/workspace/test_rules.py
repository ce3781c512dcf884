"""The workspace settings' one list: parsing what an admin types, no database."""

from __future__ import annotations

import pytest

from studio.config import Settings
from studio.errors import InputError
from studio.workspace.rules import SETTINGS, parse_terms, parse_timezone, setting, timezones


def test_every_workspace_setting_is_a_typed_field_of_settings_with_its_environment_variable():
    fields = Settings.model_fields
    for key, spec in SETTINGS.items():
        assert key in fields, key
        assert spec.env == key.upper() and spec.label and spec.help
        # The environment's default parses as the setting's own type.
        default = getattr(Settings(), key)
        assert spec.parse(default) == default


def test_terms_one_per_line_trimmed_without_blanks_or_repeats():
    assert parse_terms("  Globex \n\ninitech\nGLOBEX\nlowest  price   on earth\n") == [
        "Globex", "initech", "lowest price on earth",
    ]
    assert parse_terms(["a", " ", "b"]) == ["a", "b"]
    with pytest.raises(InputError, match="200"):
        parse_terms("x" * 201)
    with pytest.raises(InputError, match="500"):
        parse_terms("\n".join(f"t{i}" for i in range(501)))


def test_the_site_time_zone_is_an_iana_name():
    assert parse_timezone(" Europe/Berlin ") == "Europe/Berlin"
    assert parse_timezone("UTC") == "UTC"
    with pytest.raises(InputError, match="not a time zone"):
        parse_timezone("Mars/Olympus")
    with pytest.raises(InputError):
        parse_timezone("")
    zones = timezones()
    assert zones[0] == "UTC" and "Europe/Berlin" in zones and "America/New_York" in zones


def test_an_unknown_setting_is_refused_by_name():
    with pytest.raises(InputError, match="no workspace setting"):
        setting("studio_database_url")
