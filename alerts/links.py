"""A link from an alert to the matching search in Kibana Discover (KQL on the mentions alias)."""

from datetime import datetime, timedelta
from urllib.parse import quote

from config.rules import RuleFilter
from config.settings import get_settings


def kibana_base() -> str:
    """Kibana as staff reach it (`MURMURE_KIBANA_PUBLIC_URL`)."""
    return get_settings().kibana_links_url


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(field: str, values: list[str]) -> str:
    joined = " or ".join(_quoted(value) for value in values)
    return f"{field}:({joined})"


def kql(rule_filter: RuleFilter, branch: str | None, topic: str | None) -> str:
    """The rule's filter as KQL, narrowed to the alert's group. Regexes have no KQL form:
    the search shows the wider set and the alert lists the mentions that matched."""
    parts: list[str] = []
    if topic:
        parts.append(f"topics:{_quoted(topic)}")
    elif rule_filter.topics_any:
        parts.append(_any_of("topics", rule_filter.topics_any))
    parts.extend(f"topics:{_quoted(t)}" for t in rule_filter.topics_all if t != topic)
    if rule_filter.sentiment:
        parts.append(_any_of("sentiment", list(rule_filter.sentiment)))
    if rule_filter.complaint is not None:
        parts.append(f"complaint:{str(rule_filter.complaint).lower()}")
    if branch:
        parts.append(f"branch:{_quoted(branch)}")
    elif rule_filter.branches:
        parts.append(_any_of("branch", rule_filter.branches))
    if rule_filter.exclude_branches and not branch:
        parts.append("not " + _any_of("branch", rule_filter.exclude_branches))
    if rule_filter.sources:
        parts.append(_any_of("source", rule_filter.sources))
    if rule_filter.languages:
        parts.append(_any_of("lang", list(rule_filter.languages)))
    if rule_filter.keywords:
        parts.append("(" + " or ".join(f"text:{_quoted(w)}" for w in rule_filter.keywords) + ")")
    if not rule_filter.institutions:
        parts.append("not author.institution:true")
    return " and ".join(parts)


def _rison_string(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def discover_url(
    base: str,
    index_pattern: str,
    rule_filter: RuleFilter,
    branch: str | None,
    topic: str | None,
    start: datetime,
    end: datetime,
) -> str:
    """Discover's state lives in the URL fragment, in Rison; the end gets a minute of slack."""
    when = f"time:(from:'{start.isoformat()}',to:'{(end + timedelta(minutes=1)).isoformat()}')"
    state = (
        f"_g=({when})&_a=(index:{_rison_string(index_pattern)},"
        f"query:(language:kuery,query:{_rison_string(kql(rule_filter, branch, topic))}))"
    )
    return f"{base}/app/discover#/?{quote(state, safe='=&()/:,!*')}"
