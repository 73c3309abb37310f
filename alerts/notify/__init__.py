"""Where alert notices go: e-mail over SMTP and chat webhooks, each behind one Protocol."""
