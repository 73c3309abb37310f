"""Murmure: what patrons say about their libraries in public, heard in time."""

from importlib.metadata import version

__version__ = version("murmure")
