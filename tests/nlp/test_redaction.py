import pytest

from nlp.redaction import EMAIL, HANDLE, PHONE, redact


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "03 20 43 44 10",
        "+44 20 7946 0958",
        "+1 (555) 123-4567",
    ],
)
def test_phone_numbers_are_redacted(number: str) -> None:
    assert redact(f"Appelez-moi au {number} svp") == f"Appelez-moi au {PHONE} svp"


@pytest.mark.parametrize(
    "text",
    [
        "Ouvert de 9h à 19h du 7 juillet au 31 août 2025",
        "Salle 12, 3e étage, 150 places",
        "1€ la page",
    ],
)
def test_dates_times_and_counts_are_not_phone_numbers(text: str) -> None:
    assert redact(text) == text


def test_emails_are_redacted() -> None:
    text = "Écrivez à jean.dupont+bu@univ-valdemarque.fr ou à Marie_L@mail.example.org."
    assert redact(text) == f"Écrivez à {EMAIL} ou à {EMAIL}."


def test_handles_are_redacted_except_the_librarys_own() -> None:
    text = (
        "@BU_ValDeMarque merci ! cc @paul_du_93 et @alice@piaille.fr, "
        "pas @bu@social.valdemarque.example"
    )
    own = ["BU_ValDeMarque", "bu@social.valdemarque.example"]
    assert redact(text, own) == (
        f"@BU_ValDeMarque merci ! cc {HANDLE} et {HANDLE}, pas @bu@social.valdemarque.example"
    )


def test_own_handle_match_ignores_case() -> None:
    assert redact("Merci @bu_valdemarque", ["@BU_ValDeMarque"]) == "Merci @bu_valdemarque"


def test_an_email_is_not_taken_for_a_handle() -> None:
    assert redact("contact: bu@univ.example") == f"contact: {EMAIL}"
