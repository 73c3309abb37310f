"""Base of every profile section: closed to unknown keys, and to secrets in particular."""

import re

from pydantic import BaseModel, ConfigDict, model_validator

# Keys that look like credentials: refused with a pointer to the environment instead.
_SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|api[_-]?key|bearer|pseudonym[_-]?key)", re.I
)


class ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in data:
                if isinstance(key, str) and _SECRET_KEY.search(key):
                    raise ValueError(
                        f"'{key}' looks like a secret; secrets never go in the profile, "
                        "set them as environment variables or secret files (see the README)"
                    )
        return data
