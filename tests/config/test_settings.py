"""One settings model, documented in one table; Kibana's two addresses and their fallback."""

from pathlib import Path

import pytest

from config.settings import Settings
from config.smtp import SmtpConfigError, smtp_settings_from_env

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme_table() -> None:
    rows = {
        line.split("|")[1].strip()
        for line in README.read_text("utf-8").splitlines()
        if line.startswith("| `MURMURE_")
    }
    missing = {f"`MURMURE_{name.upper()}`" for name in Settings.model_fields} - rows
    assert not missing, f"add to the README's settings table: {sorted(missing)}"


def test_kibana_addresses_fall_back_to_the_one_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MURMURE_KIBANA_URL", "http://kibana.example/")
    assert Settings().kibana_links_url == "http://kibana.example"
    assert Settings().kibana_import_url == "http://kibana.example/"
    monkeypatch.setenv("MURMURE_KIBANA_PUBLIC_URL", "https://veille.bib.example")
    monkeypatch.setenv("MURMURE_KIBANA_API_URL", "http://kibana:5601")
    assert Settings().kibana_links_url == "https://veille.bib.example"
    assert Settings().kibana_import_url == "http://kibana:5601"


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MURMURE_SMTP_HOST", "mail.example")
    monkeypatch.setenv("MURMURE_SMTP_STARTTLS", "")
    monkeypatch.setenv("MURMURE_SMTP_USER", "")
    smtp = smtp_settings_from_env()
    assert (smtp.host, smtp.port, smtp.starttls, smtp.user) == ("mail.example", 25, False, None)


def test_a_bad_smtp_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MURMURE_SMTP_HOST", "mail.example")
    monkeypatch.setenv("MURMURE_SMTP_PORT", "vingt-cinq")
    with pytest.raises(SmtpConfigError, match="MURMURE_SMTP_PORT"):
        smtp_settings_from_env()
