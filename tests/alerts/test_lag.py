"""Group admin calls wait out a coordinator that a fresh broker has not elected yet."""

import pytest
from kafka.errors import CoordinatorNotAvailableError

from alerts.lag import with_coordinator
from bus.worker import Backoff

NO_WAIT = Backoff(first=0.0, factor=1.0, ceiling=0.0)


def test_retriable_errors_are_retried_until_the_call_succeeds() -> None:
    failures = [CoordinatorNotAvailableError(), CoordinatorNotAvailableError()]

    def call() -> str:
        if failures:
            raise failures.pop()
        return "done"

    assert with_coordinator(call, backoff=NO_WAIT) == "done"
    assert failures == []


def test_retries_are_bounded_and_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def never_ready() -> None:
        calls.append(1)
        raise CoordinatorNotAvailableError()

    with pytest.raises(CoordinatorNotAvailableError):
        with_coordinator(never_ready, tries=3, backoff=NO_WAIT)
    assert len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise ValueError("not a broker error")

    calls.clear()
    with pytest.raises(ValueError):
        with_coordinator(broken, backoff=NO_WAIT)
    assert len(calls) == 1
