"""Kibana as code: data views, saved searches and the « Voix des usagers » dashboard for staff."""
