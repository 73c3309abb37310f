"""Whether a mention matches a rule's filter, and which alert groups it belongs to."""

import re
from functools import lru_cache

from alerts.facts import Facts
from config.patterns import safe_pattern
from config.rules import Rule, RuleFilter
from nlp.text import fold  # keywords fold as the NLP stage's terms do

Group = tuple[str | None, str | None]  # (branch, topic)


@lru_cache(maxsize=256)
def _keywords(keywords: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(fold(word)) for word in keywords)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matches(rule_filter: RuleFilter, facts: Facts) -> bool:
    checks = (
        rule_filter.institutions or not facts.institution,
        not rule_filter.topics_any or any(t in facts.topics for t in rule_filter.topics_any),
        all(topic in facts.topics for topic in rule_filter.topics_all),
        not rule_filter.sentiment or facts.sentiment in rule_filter.sentiment,
        rule_filter.complaint is None or facts.complaint == rule_filter.complaint,
        not rule_filter.branches or facts.branch in rule_filter.branches,
        facts.branch is None or facts.branch not in rule_filter.exclude_branches,
        not rule_filter.sources or facts.source in rule_filter.sources,
        not rule_filter.languages or facts.lang in rule_filter.languages,
    )
    if not all(checks):
        return False
    if rule_filter.keywords and not _keywords(tuple(rule_filter.keywords)).search(fold(facts.text)):
        return False
    regex = rule_filter.regex
    return regex is None or safe_pattern(regex, ignore_case=True).search(facts.text)


def groups(rule: Rule, facts: Facts) -> list[Group]:
    """A mention about two topics counts once in each topic's group (of the filter's topics)."""
    branch = facts.branch if "branch" in rule.group_by else None
    if "topic" not in rule.group_by:
        return [(branch, None)]
    wanted = set(rule.filter.topics_any) | set(rule.filter.topics_all)
    topics = [topic for topic in facts.topics if not wanted or topic in wanted]
    return [(branch, topic) for topic in dict.fromkeys(topics)] or [(branch, None)]


def group_key(rule_id: str, group: Group) -> str:
    branch, topic = group
    return f"{rule_id}|{branch or '*'}|{topic or '*'}"
