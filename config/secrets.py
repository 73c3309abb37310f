"""Secrets come from `NAME` or from the file named by `NAME_FILE` (Docker/Kubernetes secrets).

They are wrapped in `SecretStr`, so they print as `**********` in logs, reprs and errors.
"""

import os
from pathlib import Path

from pydantic import SecretStr


class MissingSecretError(RuntimeError):
    """Names the variable to set, never a value."""


def read_secret(name: str, *, required: bool = True) -> SecretStr | None:
    direct = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if direct and file_name:
        raise MissingSecretError(f"both {name} and {name}_FILE are set; keep only one")
    if direct:
        return SecretStr(direct)
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise MissingSecretError(
                f"{name}_FILE points to {file_name}, which cannot be read ({error.strerror})"
            ) from None
        if value:
            return SecretStr(value)
        raise MissingSecretError(f"{name}_FILE points to an empty file: {file_name}")
    if required:
        raise MissingSecretError(f"set {name} (or {name}_FILE to a file holding it)")
    return None


def require_secret(name: str) -> SecretStr:
    secret = read_secret(name, required=True)
    assert secret is not None
    return secret
