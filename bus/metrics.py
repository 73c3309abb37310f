"""Prometheus metrics every worker exposes, labelled by stage."""

from prometheus_client import Counter, Gauge, Histogram, start_http_server

PROCESSED = Counter("murmure_processed_total", "Messages processed", ["stage"])
FAILED = Counter("murmure_failed_total", "Batches that failed and will be retried", ["stage"])
DEAD_LETTERS = Counter("murmure_dlq_total", "Messages sent to the dead-letter topic", ["stage"])
LAG = Gauge("murmure_consumer_lag", "Messages waiting in the input topic", ["stage"])
LATENCY = Histogram(
    "murmure_end_to_end_seconds",
    "From a mention being fetched to this stage having written it",
    ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)


def serve_metrics(port: int) -> None:
    """Port 0 disables the endpoint (tests run several workers in one process)."""
    if port:
        start_http_server(port, addr="127.0.0.1")
