"""Computes the `WeeklySummary` of an ISO week from Elasticsearch: the figures, nothing rendered."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from elasticsearch import Elasticsearch

from config.profile import Profile
from indexer.figures import PeriodFigures, figures_by_period, pipeline_versions, volume
from indexer.queries import complaint_sample, own_posts, posts_holding, term_posts
from indexer.responses import responsiveness, waiting
from schemas.alert import AlertMention
from schemas.summary import (
    BranchCount,
    Count,
    EmergingTerm,
    ModelUse,
    OwnPost,
    Responsiveness,
    TopicTrend,
    WeeklySentiment,
    WeeklySummary,
)
from summaries.alerts_recap import alerts_of
from summaries.emerging import emerging_terms
from summaries.settings import Tunables, tunables
from summaries.typical import Post, typical_posts
from summaries.weeks import Week

SENTIMENTS = ("negative", "neutral", "positive")


def _change(now: float, before: float) -> float | None:
    return (now - before) / before if before else None


def rank_topics(
    week: Week, baseline: list[Week], trend: list[Week], figures: dict[Week, PeriodFigures]
) -> list[TopicTrend]:
    """Every topic seen in the trend weeks, worst deterioration first."""
    current = figures[week]
    previous = figures[baseline[-1]] if baseline else PeriodFigures()
    topics = {topic for week_figures in figures.values() for topic in week_figures.topic_count}
    trends = []
    for topic in topics:
        count = current.topic_count.get(topic, 0)
        negative = current.topic_negative.get(topic, 0)
        average = sum(figures[w].topic_count.get(topic, 0) for w in baseline) / len(baseline)
        average_negative = sum(figures[w].topic_negative.get(topic, 0) for w in baseline) / len(
            baseline
        )
        trends.append(
            TopicTrend(
                topic=topic,
                count=count,
                negative=negative,
                complaints=current.topic_complaints.get(topic, 0),
                negative_share=negative / count if count else 0.0,
                previous_count=previous.topic_count.get(topic, 0),
                previous_negative=previous.topic_negative.get(topic, 0),
                average_count=average,
                average_negative=average_negative,
                change_vs_previous=_change(count, previous.topic_count.get(topic, 0)),
                change_vs_4_weeks=_change(count, average),
                deterioration=negative - average_negative,
                weekly_counts=[figures[w].topic_count.get(topic, 0) for w in trend],
            )
        )
    return sorted(trends, key=lambda t: (-t.deterioration, -t.complaints, -t.count, t.topic))


def topics_needing_examples(topics: list[TopicTrend], how_many: int) -> list[str]:
    """The topics with the most complaints, plus the worst deterioration if it has complaints."""
    with_complaints = [topic for topic in topics if topic.complaints]
    by_complaints = sorted(with_complaints, key=lambda t: -t.complaints)[:how_many]
    chosen = [topic.topic for topic in by_complaints]
    if with_complaints and with_complaints[0].topic not in chosen and how_many:
        chosen.insert(0, with_complaints[0].topic)
    return chosen


def compute_summary(
    es: Elasticsearch,
    profile: Profile,
    week: Week,
    *,
    language: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    settings: Tunables | None = None,
) -> WeeklySummary:
    settings = settings or tunables()
    timezone = profile.library.timezone
    start, end = week.window(timezone)
    trend = [*week.previous(settings.trend_weeks - 1), week]
    baseline = week.previous(settings.baseline_weeks)
    weeks = sorted(set(trend) | set(baseline))
    by_label = figures_by_period(es, {str(w): w.window(timezone) for w in weeks})
    figures = {w: by_label[str(w)] for w in weeks}
    current = figures[week]
    previous = figures[week.shift(-1)]
    week_volume = volume(es, (start, end))

    topics = rank_topics(week, baseline, trend, figures)
    needing = set(topics_needing_examples(topics, settings.example_topics))
    topics = [
        topic.model_copy(update={"examples": _examples(es, topic.topic, start, end, settings)})
        if topic.topic in needing
        else topic
        for topic in topics
    ]

    baseline_start, _ = baseline[0].window(timezone)
    emerging = emerging_terms(
        term_posts(es, start, end, min_posts=settings.emerging_min_count),
        current.relevant,
        lambda terms: posts_holding(es, baseline_start, start, terms),
        sum(figures[w].relevant for w in baseline),
        size=settings.emerging_terms,
        min_count=settings.emerging_min_count,
    )
    waiting_total, waiting_posts = _waiting(es, week, timezone, min(end, now()), settings)
    return WeeklySummary(
        library_id=profile.library.id,
        library_name=profile.library.name,
        week=str(week),
        week_start=start,
        week_end=end,
        timezone=timezone,
        language=language or profile.summaries.language,  # type: ignore[arg-type]
        mentions=current.mentions,
        relevant=current.relevant,
        complaints=current.complaints,
        previous_mentions=previous.mentions,
        previous_complaints=previous.complaints,
        by_source=[Count(key=key, count=n) for key, n in week_volume.by_source],
        by_branch=[BranchCount(key=k, count=n, complaints=c) for k, n, c in week_volume.by_branch],
        topics=topics,
        trend_weeks=[str(w) for w in trend],
        sentiment_trend=[
            WeeklySentiment(
                week=str(w), **{name: figures[w].sentiment.get(name, 0) for name in SENTIMENTS}
            )
            for w in trend
        ],
        emerging_terms=[
            EmergingTerm(term=term, count=count, background=background, score=score)
            for term, count, background, score in emerging
        ],
        alerts=alerts_of(es, start, end),
        own_posts=_own_posts(es, start, end, settings.own_posts),
        models=model_uses(es, (trend[0].window(timezone)[0], end)),
        responses=[
            Responsiveness(
                week=str(w),
                kind=figures.kind,
                posts=figures.posts,
                answered=figures.answered,
                median_delay_s=figures.median_delay_s,
            )
            for w in trend
            for figures in responsiveness(es, *w.window(timezone))
        ],
        waiting=waiting_posts,
        waiting_total=waiting_total,
        generated_at=now(),
    )


def model_name(pipeline_version: str) -> str:
    """The learned model of a pipeline version (`murmure-…+fr_core_news_sm-…+linear-…+hash`);
    a version without one (the rules alone, or another shape) is named whole."""
    parts = pipeline_version.split("+")
    return "+".join(parts[2:-1]) if len(parts) >= 4 else pipeline_version


def model_uses(es: Elasticsearch, window: tuple[datetime, datetime]) -> list[ModelUse]:
    """Which models tagged the window's mentions, oldest first (one per model, whatever the
    profile or lexicon changes that also change the pipeline version)."""
    uses: dict[str, ModelUse] = {}
    for version, first, last, count in pipeline_versions(es, window):
        name = model_name(version)
        use = ModelUse(
            model=name,
            first=datetime.fromisoformat(first),
            last=datetime.fromisoformat(last),
            mentions=count,
        )
        if name in uses:
            known = uses[name]
            use = ModelUse(
                model=name,
                first=min(known.first, use.first),
                last=max(known.last, use.last),
                mentions=known.mentions + count,
            )
        uses[name] = use
    return sorted(uses.values(), key=lambda use: use.first)


def _waiting(
    es: Elasticsearch, week: Week, timezone: str, until: datetime, settings: Tunables
) -> tuple[int, list[AlertMention]]:
    """The posts still unanswered `waiting_after_hours` after they were posted, by `until`."""
    since, _ = week.shift(-settings.waiting_weeks).window(timezone)
    total, posts = waiting(
        es,
        posted_since=since,
        posted_before=until - timedelta(hours=settings.waiting_after_hours),
        size=settings.waiting_shown,
    )
    shown = [
        AlertMention(
            id=post.id,
            text_redacted=post.text,
            created_at=post.created_at,
            url=post.url,
            source=post.source,
        )
        for post in posts
        if post.text
    ]
    return total, shown


def _examples(
    es: Elasticsearch, topic: str, start: datetime, end: datetime, settings: Tunables
) -> list[AlertMention]:
    pool = [
        Post(
            id=source["id"],
            text=source.get("text", ""),
            lemmas=source.get("lemmas", ""),
            created_at=datetime.fromisoformat(source["created_at"]),
            url=source.get("url"),
        )
        for source in complaint_sample(es, topic, start, end, size=settings.example_pool)
    ]
    chosen = typical_posts(
        pool, count=settings.examples_per_topic, max_similarity=settings.example_max_similarity
    )
    return [
        AlertMention(id=post.id, text_redacted=post.text, created_at=post.created_at, url=post.url)
        for post in chosen
    ]


def _own_posts(es: Elasticsearch, start: datetime, end: datetime, how_many: int) -> list[OwnPost]:
    return [
        OwnPost(
            id=source["id"],
            source=source["source"],
            url=source.get("url"),
            text=source.get("text", ""),
            created_at=datetime.fromisoformat(source["created_at"]),
            likes=int(source.get("engagement", {}).get("likes", 0)),
            shares=int(source.get("engagement", {}).get("shares", 0)),
            replies=int(source.get("engagement", {}).get("replies", 0)),
        )
        for source in own_posts(es, start, end, size=how_many)
    ]
