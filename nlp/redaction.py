"""Redaction of personal data before anything is indexed: e-mails, phone numbers, @handles.

The library's own accounts stay in clear (they are institutions, and staff search for them).
Placeholders are fixed strings so redacted posts still read naturally and stay comparable.
"""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.profile import Profile

EMAIL = "[email]"
PHONE = "[phone]"
HANDLE = "@[user]"

_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}(?![\w-])")
_SEP = r"[ .\-]?"
# French: 0X XX XX XX XX, +33 X XX XX XX XX, 0033 X ..., +33 (0)X ..., with spaces, dots or dashes.
_FR_PHONE = rf"(?:(?:\+|00)33{_SEP}(?:\(0\){_SEP})?[1-9]|0[1-9])(?:{_SEP}\d{{2}}){{4}}"
# International: +CC then 6 to 12 more digits in groups (+44 20 7946 0958, +1 (555) 123-4567).
_INTL_PHONE = r"(?:\+|00)[1-9]\d{0,2}(?:[ .\-]?\(?\d{1,4}\)?){2,5}"
_PHONE = re.compile(rf"(?<![\w+])(?:{_FR_PHONE}|{_INTL_PHONE})(?!\w)")
# @user, @user@instance.social (Mastodon), @user.bsky.social (Bluesky).
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[\w.\-]*\w)?(?:@[\w\-]+(?:\.[\w\-]+)+)?")


def _digits(text: str) -> int:
    return sum(char.isdigit() for char in text)


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


def redact(text: str, own_handles: Iterable[str] = ()) -> str:
    """`text` with e-mails, phone numbers and other people's @handles replaced by placeholders."""
    own = {normalise_handle(handle) for handle in own_handles}
    own |= {handle.split("@")[0] for handle in own if "@" in handle}

    def _handle(match: re.Match[str]) -> str:
        handle = normalise_handle(match.group())
        return match.group() if handle in own or handle.split("@")[0] in own else HANDLE

    # Handles first: a Mastodon handle (@user@instance) is not an e-mail address.
    text = _HANDLE.sub(_handle, text)
    text = _EMAIL.sub(EMAIL, text)
    return _PHONE.sub(lambda m: PHONE if 8 <= _digits(m.group()) <= 15 else m.group(), text)


def own_handles(profile: "Profile") -> list[str]:
    """The handles the profile declares as the library's own, whatever the source."""
    return [account.handle for account in profile.accounts]
