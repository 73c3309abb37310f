"""The Elasticsearch client, configured from the environment; the password is a secret."""

from elasticsearch import Elasticsearch

from config.secrets import read_secret
from config.settings import get_settings


def make_client(**overrides: object) -> Elasticsearch:
    settings = get_settings()
    password = read_secret("MURMURE_ES_PASSWORD", required=False)
    auth = (
        {"basic_auth": (settings.es_username or "elastic", password.get_secret_value())}
        if password
        else {}
    )
    options: dict[str, object] = {"request_timeout": 30, "retry_on_timeout": True, **auth}
    return Elasticsearch(settings.es_url, **(options | overrides))  # type: ignore[arg-type]
