"""Recorded with every request, so a network can tell who is calling and which release."""

from importlib.metadata import PackageNotFoundError, version

try:
    LISTENER_VERSION = version("murmure")
except PackageNotFoundError:  # running from a source tree that was never installed
    LISTENER_VERSION = "0+unknown"

USER_AGENT = f"murmure-listener/{LISTENER_VERSION} (library social listening)"
