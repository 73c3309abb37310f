"""The rule engine, pure: state + mention → alert notices. No Kafka, no Elasticsearch, no clock
but the one it is given, so the worker, `test-rule` and the tests run exactly the same logic.

Time is event time (each mention's `created_at`): a replay of eight weeks in minutes raises the
same alerts, at the same `raised_at`, as the weeks did. The clock moves once `clock_quorum`
mentions agree (`alerts.state.Meta`): one wild date does not move it. One alert (episode) per
rule and group (branch, topic): opened when the condition becomes true, updated when its
mentions have grown by the rule's `update_growth`, resolved once the condition has stayed false
for the rule's `cooldown`. Mentions seen twice (at-least-once delivery) count once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alerts.conditions import Evaluation, evaluate, horizon, window_of
from alerts.facts import Facts
from alerts.filters import Group, group_key, groups, matches
from alerts.links import discover_url, kibana_base
from alerts.quiet import release_time
from alerts.state import META_KEY, Episode, GroupState, Meta
from config.rules import AlertsConfig, Rule, parse_duration
from schemas.alert import Alert

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Engine:
    config: AlertsConfig
    library_id: str | None = None
    timezone: str = "UTC"
    kibana_url: str = field(default_factory=kibana_base)
    index_pattern: str = "murmure-mentions"  # the Kibana data view links open (kibana/objects.yml)
    clock: Clock = _utc_now
    rules: list[Rule] | None = None  # default: the enabled rules of `config`
    meta: Meta = field(default_factory=Meta)
    groups: dict[str, GroupState] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    late: int = 0  # mentions too far behind the newest to alert on

    def __post_init__(self) -> None:
        if self.rules is None:
            self.rules = [rule for rule in self.config.rules if rule.enabled]
        self._by_id = {rule.id: rule for rule in self.rules}
        self._late_after = parse_duration(self.config.late_after)

    # -- state in and out (one JSON document per key) -------------------------------------

    def dump(self, keys: Iterable[str] | None = None) -> dict[str, str | None]:
        """Serialised state of `keys` (default: all); None for a group that was dropped."""
        wanted = set(self.groups) | {META_KEY} if keys is None else set(keys)
        out: dict[str, str | None] = {}
        for key in wanted:
            if key == META_KEY:
                out[key] = self.meta.model_dump_json()
            else:
                group = self.groups.get(key)
                out[key] = group.model_dump_json() if group is not None else None
        return out

    def load(self, items: dict[str, str]) -> None:
        self.groups.clear()
        self.meta = Meta()
        for key, value in items.items():
            if key == META_KEY:
                self.meta = Meta.model_validate_json(value)
            else:
                group = GroupState.model_validate_json(value)
                if group.rule_id in self._by_id:  # a rule removed from the profile is forgotten
                    self.groups[key] = group
        self.dirty.clear()

    def take_dirty(self) -> set[str]:
        dirty, self.dirty = self.dirty | {META_KEY}, set()
        return dirty

    # -- processing --------------------------------------------------------------------

    def process(self, facts: Facts) -> list[Alert]:
        """Notices raised by this mention, then any resolution its time makes due."""
        watermark = self.meta.watermark
        if watermark is not None and facts.created_at < watermark - self._late_after:
            self.late += 1
            return []
        self.meta = self.meta.seen(facts.created_at, facts.id, self.config.clock_quorum)
        if self.meta.started_at is None or facts.created_at < self.meta.started_at:
            self.meta = self.meta.model_copy(update={"started_at": facts.created_at})
        # Episodes over by this mention's time are resolved before it can join them.
        notices = self.advance()
        for rule in self.rules or []:
            if matches(rule.filter, facts):
                for group in groups(rule, facts):
                    notices.extend(self._add(rule, group, facts))
        return notices

    def advance(self, until: datetime | None = None) -> list[Alert]:
        """Resolves episodes whose condition has been false for their cooldown by `until`
        (default: the newest mention time seen), and forgets what no rule will look at again."""
        until = until or self.meta.watermark
        if until is None:
            return []
        notices: list[Alert] = []
        for key, group in list(self.groups.items()):
            rule = self._by_id[group.rule_id]
            episode = group.episode
            if episode is not None:
                resolved_at = episode.holds_until + parse_duration(rule.cooldown)
                if until >= resolved_at:
                    notices.append(self._resolve(rule, group, episode, resolved_at))
                    self.dirty.add(key)
            if self._prune(rule, group, until):
                self.dirty.add(key)
            if not group.events and group.episode is None and self._closed_long_ago(group, until):
                del self.groups[key]
                self.dirty.add(key)
        return notices

    def _add(self, rule: Rule, group: Group, facts: Facts) -> list[Alert]:
        key = group_key(rule.id, group)
        state = self.groups.get(key)
        if state is None:
            state = self.groups[key] = GroupState(rule_id=rule.id, branch=group[0], topic=group[1])
        if facts.id in state.events:
            return []  # seen already: at-least-once delivery
        self.dirty.add(key)
        state.add_event(facts.id, facts.created_at)
        state.recent = sorted([*state.recent, facts.sample()], key=lambda m: m.created_at)[
            -self.config.max_mentions :
        ]
        times = state.sorted_times()
        history = self.meta.started_at or facts.created_at
        # Out of order: the window ending at the newest event may be the one that holds.
        instants = dict.fromkeys([facts.created_at, times[-1]])
        evaluation = next(
            (
                found
                for at in instants
                if (found := evaluate(rule.condition, times, at, history_start=history)).holds
            ),
            None,
        )
        episode = state.episode
        if episode is None:
            if evaluation is None or evaluation.holds_until is None:
                return []
            if state.closed_until is not None and facts.created_at < state.closed_until:
                return []  # a late mention of an episode already resolved
            return [self._open(rule, state, facts, evaluation)]
        if evaluation is None or evaluation.holds_until is None:
            # Joins the episode within its cooldown, without a notice; posted after the episode
            # ended, it is not counted, even if the alerts' clock has not yet resolved it.
            if facts.created_at < episode.holds_until + parse_duration(rule.cooldown):
                episode.total += 1
            return []
        episode.total += 1
        episode.holds_until = max(episode.holds_until, evaluation.holds_until)
        episode.count, episode.baseline = evaluation.count, evaluation.baseline
        episode.window_start, episode.window_end = evaluation.window_start, evaluation.window_end
        episode.p_value = evaluation.p_value
        if episode.total < max(
            episode.noticed_total * rule.update_growth, episode.noticed_total + 1
        ):
            return []
        episode.sequence += 1
        episode.noticed_total = episode.total
        return [self._notice(rule, state, episode, "update", evaluation.window_end)]

    def _open(self, rule: Rule, state: GroupState, facts: Facts, evaluation: Evaluation) -> Alert:
        at = evaluation.window_end
        assert evaluation.holds_until is not None
        stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        episode = Episode(
            id=".".join(
                [
                    *([self.library_id] if self.library_id else []),
                    rule.id,
                    state.branch or "all",
                    state.topic or "all",
                    stamp,
                ]
            ),
            raised_at=at,
            trigger_mention_id=facts.id,
            total=evaluation.count if rule.condition.type != "each" else 1,
            holds_until=evaluation.holds_until,
            count=evaluation.count,
            window_start=evaluation.window_start,
            window_end=evaluation.window_end,
            baseline=evaluation.baseline,
            p_value=evaluation.p_value,
        )
        episode.noticed_total = episode.total
        state.episode = episode
        return self._notice(rule, state, episode, "open", at)

    def _resolve(
        self, rule: Rule, state: GroupState, episode: Episode, resolved_at: datetime
    ) -> Alert:
        episode.sequence += 1
        state.episode = None
        state.closed_until = resolved_at
        return self._notice(rule, state, episode, "resolved", resolved_at)

    def _notice(
        self, rule: Rule, state: GroupState, episode: Episode, status: str, at: datetime
    ) -> Alert:
        window = window_of(rule.condition)
        since = min(episode.window_start, episode.raised_at - window)
        samples = [m for m in state.recent if since <= m.created_at <= max(at, episode.window_end)]
        return Alert.model_validate(
            {
                "id": episode.id,
                "library_id": self.library_id,
                "rule_id": rule.id,
                "description": rule.description,
                "condition": rule.condition.type,
                "status": status,
                "sequence": episode.sequence,
                "severity": rule.severity,
                "branch": state.branch,
                "topic": state.topic,
                "window_start": episode.window_start,
                "window_end": episode.window_end,
                "count": episode.count,
                "total": episode.total,
                "baseline": episode.baseline,
                "p_value": episode.p_value,
                "mentions": samples[-self.config.max_mentions :],
                "search_url": discover_url(
                    self.kibana_url,
                    self.index_pattern,
                    rule.filter,
                    state.branch,
                    state.topic,
                    since,
                    max(at, episode.window_end),
                ),
                "trigger_mention_id": episode.trigger_mention_id,
                "raised_at": episode.raised_at,
                "updated_at": at,
                "resolved_at": at if status == "resolved" else None,
                "notify_after": release_time(rule.quiet_hours, self.timezone, at),
                "emitted_at": self.clock(),
                "channels": rule.channels,
            }
        )

    def _keep_for(self, rule: Rule) -> timedelta:
        return max(horizon(rule.condition), self._late_after)

    def _prune(self, rule: Rule, group: GroupState, until: datetime) -> bool:
        cutoff = until - self._keep_for(rule)
        dropped = group.drop_events_before(cutoff)
        recent = [m for m in group.recent if m.created_at >= cutoff or group.episode is not None]
        changed = dropped or len(recent) != len(group.recent)
        group.recent = recent
        return changed

    def _closed_long_ago(self, group: GroupState, until: datetime) -> bool:
        return group.closed_until is None or group.closed_until < until - self._late_after
