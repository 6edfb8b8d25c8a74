"""Settings: command line over environment over a TOML file over defaults; bad ones refused."""

from __future__ import annotations

import pytest

from loader.errors import SettingsError
from loader.settings import Settings


def test_order_of_sources(tmp_path):
    toml = tmp_path / "nicip.toml"
    toml.write_text('query_timeout_s = 3\nrow_limit = 50\nstore = "embedded"\n')
    s = Settings.resolve({"row_limit": 7}, {"NICIP_QUERY_TIMEOUT": "4"}, toml)
    assert (s.row_limit, s.query_timeout_s) == (7, 4.0)
    assert s.sources["row_limit"] == "command line"
    assert s.sources["query_timeout_s"] == "NICIP_QUERY_TIMEOUT"
    assert s.sources["store"] == str(toml)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('query_timeout = "abc"\n', "unknown setting 'query_timeout'; the settings are "),
        ("foo = 1\n", "unknown setting 'foo'"),
        ('query_timeout_s = "nan"\n', "query_timeout_s must be a number above 0, got 'nan'"),
        ('query_timeout_s = "inf"\n', "query_timeout_s must be a number above 0, got 'inf'"),
        ("row_limit = 0\n", "row_limit must be a number above 0, got 0"),
    ],
)
def test_a_bad_settings_file_is_refused_saying_why(tmp_path, text, says):
    toml = tmp_path / "nicip.toml"
    toml.write_text(text)
    with pytest.raises(SettingsError) as caught:
        Settings.resolve({}, {}, toml)
    assert says in str(caught.value)
