"""The Elasticsearch client, configured from the environment; the password is a secret."""

from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import ConnectionTimeout as EsConnectionTimeout

from bus.records import TransientError
from config.secrets import read_secret
from config.settings import get_settings

# Overload and server-side trouble: worth another try. Other errors are the request's fault.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@contextmanager
def retry_when_unavailable() -> Iterator[None]:
    """Turns Elasticsearch being down or overloaded into a retry of the batch, uncommitted."""
    try:
        yield
    except (EsConnectionError, EsConnectionTimeout) as error:
        raise TransientError(f"Elasticsearch unreachable: {error}") from error
    except ApiError as error:
        if error.status_code in RETRYABLE_STATUSES:
            raise TransientError(f"Elasticsearch busy: {error}") from error
        raise


def es_client(url: str, auth: tuple[str, str] | None = None, **overrides: object) -> Elasticsearch:
    """Every Elasticsearch client Murmure makes, whoever says where the cluster is."""
    options: dict[str, object] = {"request_timeout": 30, "retry_on_timeout": True}
    if auth is not None:
        options["basic_auth"] = auth
    return Elasticsearch(url, **(options | overrides))  # type: ignore[arg-type]


def make_es_client(**overrides: object) -> Elasticsearch:
    """The cluster of the settings (`MURMURE_ES_URL`, `MURMURE_ES_USERNAME`, the password)."""
    settings = get_settings()
    password = read_secret("MURMURE_ES_PASSWORD", required=False)
    auth = (settings.es_username or "elastic", password.get_secret_value()) if password else None
    return es_client(settings.es_url, auth, **overrides)
