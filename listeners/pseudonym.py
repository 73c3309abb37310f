"""Authors become keyed hashes before anything leaves a listener: patrons are never tracked.

The key is a secret (MURMURE_PSEUDONYM_KEY): without it, nobody can link a pseudonym back to a
handle by hashing candidate handles. The library's own accounts stay in clear.
"""

import hashlib
import hmac

from pydantic import SecretStr

from config.profile import Profile, normalise_handle
from config.secrets import require_secret
from schemas.mention import Author

KEY_VARIABLE = "MURMURE_PSEUDONYM_KEY"
_MIN_KEY_BYTES = 16


def load_key() -> SecretStr:
    key = require_secret(KEY_VARIABLE)
    if len(key.get_secret_value().encode()) < _MIN_KEY_BYTES:
        raise ValueError(f"{KEY_VARIABLE} is too short: use at least {_MIN_KEY_BYTES} random bytes")
    return key


def pseudonymise(key: SecretStr, source: str, handle: str) -> str:
    message = f"{source}:{normalise_handle(handle)}".encode()
    digest = hmac.new(key.get_secret_value().encode(), message, hashlib.sha256).hexdigest()
    return f"p_{digest[:24]}"


def author_of(profile: Profile, key: SecretStr, source: str, handle: str) -> Author:
    if profile.is_own_account(source, handle):
        return Author(pseudonym=normalise_handle(handle), institution=True)
    return Author(pseudonym=pseudonymise(key, source, handle), institution=False)
