"""`python -m services up|down|status`, for when the `murmure` command is not installed."""

from services.cli import app

app(prog_name="murmure services")
