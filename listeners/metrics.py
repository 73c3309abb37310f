"""Per-source counters, so a failing network shows on a dashboard while the others go on."""

from prometheus_client import Counter, Gauge

FETCHED = Counter("murmure_listener_fetched_total", "Items fetched from a source", ["source"])
PUBLISHED = Counter(
    "murmure_listener_published_total", "Mentions acknowledged by Kafka", ["source"]
)
MALFORMED = Counter("murmure_listener_malformed_total", "Items skipped as malformed", ["source"])
FAILURES = Counter("murmure_listener_failures_total", "Polls or streams that failed", ["source"])
FAILING = Gauge("murmure_listener_failing", "1 while a source's last attempt failed", ["source"])
LAST_SUCCESS = Gauge(
    "murmure_listener_last_success_timestamp", "Unix time of the last good poll", ["source"]
)
GAPS = Counter(
    "murmure_listener_gaps_total",
    "Times a source could not go back to its checkpoint (older than the network serves)",
    ["source"],
)
GAP_SECONDS = Counter(
    "murmure_listener_gap_seconds_total",
    "Length of the periods a source could not go back to, in seconds",
    ["source"],
)
