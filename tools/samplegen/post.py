"""One post of the stream, as the replay source reads it (samples/README.md lists the fields)."""

import json
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Post:
    source: str
    native_id: str
    url: str
    author_handle: str
    text: str
    created_at: datetime
    likes: int
    shares: int
    replies: int
    lang_hint: str | None
    in_reply_to: str | None = None
    thread: str | None = None

    def to_json(self) -> str:
        threads = {"in_reply_to": self.in_reply_to, "thread": self.thread}
        return json.dumps(
            {
                "source": self.source,
                "native_id": self.native_id,
                "url": self.url,
                "author_handle": self.author_handle,
                "text": self.text,
                "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "likes": self.likes,
                "shares": self.shares,
                "replies": self.replies,
                "lang_hint": self.lang_hint,
            }
            | {key: value for key, value in threads.items() if value},
            ensure_ascii=False,
        )
