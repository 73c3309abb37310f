"""Listeners: public mentions from each source, pseudonymised, into `mentions.raw`."""
