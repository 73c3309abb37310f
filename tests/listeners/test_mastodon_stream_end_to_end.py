"""`murmure listen` for good with Mastodon streams, into the real Kafka, stopped by SIGTERM.

One instance streams (and drops once: its catch-up poll fills the gap); another refuses to
stream and keeps being polled. A restart resumes from the checkpoints: every status reaches
mentions.raw exactly once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from listeners import mastodon
from tests.listeners.conftest import FAST_RETRY, SAMPLES
from tests.listeners.fakeapi import FakeApi, json_reply
from tests.listeners.test_end_to_end import raw_messages
from tests.listeners.test_mastodon import TAG, status
from tests.listeners.test_mastodon_stream import INSTANCE, STREAM, sse, timeline, update

pytestmark = pytest.mark.integration


@pytest.fixture
def apis() -> Iterator[tuple[FakeApi, FakeApi]]:
    streaming, refusing = FakeApi(), FakeApi()
    yield streaming, refusing
    streaming.close()
    refusing.close()


def start(profile: Path, state: Path, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {mastodon.TOKEN_VARIABLE: "user-token"}
    command = [sys.executable, "-m", "murmure", "listen", "--profile", str(profile)]
    command += ["--state-dir", str(state), "--metrics-port", "0"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def wait_for(check: Callable[[], bool], what: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f}s: {what}\n{log.read_text(errors='replace')}")


def test_streams_and_polls_run_until_sigterm_and_resume_after_a_restart(
    apis: tuple[FakeApi, FakeApi], tmp_path: Path, topics: None
) -> None:
    streaming, refusing = apis
    n = int(uuid.uuid4().int % 10**12) * 1000
    s = [str(n + i) for i in range(10)]

    streaming.route("GET", INSTANCE, json_reply({"error": "Not found"}, 404))
    streaming.route(
        "GET",
        STREAM,
        sse(update(status(s[2]))),  # then dropped
        sse(update(status(s[4])), update(status(s[5])), hold=True),
    )
    posted = [status(s[1])]

    def on_the_instance() -> list[dict[str, object]]:
        # s2 was streamed; s3 was posted while the stream was down; s4 is also in stream 2
        dropped = len(streaming.calls(STREAM)) >= 2
        return posted + ([status(s[2]), status(s[3]), status(s[4])] if dropped else [])

    streaming.route("GET", TAG, timeline(on_the_instance))

    refusing.route("GET", INSTANCE, json_reply({"error": "Not found"}, 404))
    refusing.route("GET", STREAM, json_reply({"error": "requires an authenticated user"}, 401))
    later = [status(s[7]), status(s[8])]  # the second one only appears after the first poll
    refusing.route(
        "GET", TAG, timeline(lambda: later if len(refusing.calls(TAG)) > 1 else later[:1])
    )

    data = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    data["sources"] = [
        {
            "id": sid,
            "type": "mastodon",
            "instance": api.url,
            "hashtags": ["Kerbrient"],
            "own_replies": False,
        }
        | {"stream": True, "poll_seconds": 1, "retry": FAST_RETRY}
        for sid, api in (("masto-stream", streaming), ("masto-refused", refusing))
    ]
    profile = tmp_path / "profile.yml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    state, log = tmp_path / "state", tmp_path / "listen.log"
    first = [1, 2, 3, 4, 5, 7, 8]

    def exactly_once(numbers: list[int]) -> Callable[[], bool]:
        wanted = {f"mastodon:{s[i]}" for i in numbers}
        return lambda: raw_messages(wanted) == Counter(dict.fromkeys(wanted, 1))

    process = start(profile, state, log)
    try:
        wait_for(
            exactly_once(first), "streamed, caught-up and polled statuses in mentions.raw", log
        )
    finally:
        code = stop(process)
    assert code == 0, log.read_text(errors="replace")
    assert exactly_once(first)()
    assert len(streaming.calls(STREAM)) == 2
    assert s[2] in {r.query.get("min_id") for r in streaming.calls(TAG)}  # caught up after drop
    assert len(refusing.calls(STREAM)) == 1  # refused once, then only polled
    assert len(refusing.calls(TAG)) >= 2

    posted.append(status(s[6]))  # posted while the listener was stopped
    streaming.route("GET", STREAM, sse(update(status(s[9])), hold=True))
    process = start(profile, state, log)
    try:
        wait_for(exactly_once([*first, 6, 9]), "the restart's statuses", log)
    finally:
        code = stop(process)
    assert code == 0, log.read_text(errors="replace")
    after_restart = [r for r in streaming.calls(TAG) if r.query.get("min_id") == s[5]]
    assert after_restart, "the restart did not resume from the saved mark"
    assert exactly_once([*first, 6, 9])()
