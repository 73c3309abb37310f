"""Local Kafka and Elasticsearch for development and tests, fetched from Maven Central.

The production path is docker-compose.yml; this package gives machines without Docker
(CI included) the same two services, started as plain background processes.
"""

from services.errors import ServiceError

__all__ = ["ServiceError"]
