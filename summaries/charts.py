"""Charts of a summary as PNG bytes: topics over 8 weeks, sentiment trend, branches.

Drawn with matplotlib's object API on the Agg canvas (no display, no global pyplot state), sized
for a phone: one column, the width of a mail client's reading pane.
"""

import io

from matplotlib.figure import Figure

from schemas.summary import WeeklySummary
from summaries.settings import Tunables

SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}
COMPLAINT_COLOUR = "#c0392b"
MENTION_COLOUR = "#2c6fbb"


def _png(figure: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _week_labels(summary: WeeklySummary, text: dict[str, str]) -> list[str]:
    return [text["week_label"].format(number=week.split("-W")[1]) for week in summary.trend_weeks]


def topics_chart(
    summary: WeeklySummary, labels: dict[str, str], text: dict[str, str], settings: Tunables
) -> bytes:
    figure = Figure(figsize=(settings.chart_width_inches, 3.6))
    axes = figure.subplots()
    weeks = _week_labels(summary, text)
    for topic in summary.topics[: settings.chart_topics]:
        axes.plot(
            weeks, topic.weekly_counts, marker="o", label=labels.get(topic.topic, topic.topic)
        )
    axes.set_title(text["topics_chart"], loc="left", fontsize=11)
    axes.set_ylabel(text["mentions"])
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if summary.topics:
        axes.legend(fontsize=8, frameon=False, loc="upper left")
    return _png(figure, settings.chart_dpi)


def sentiment_chart(summary: WeeklySummary, text: dict[str, str], settings: Tunables) -> bytes:
    figure = Figure(figsize=(settings.chart_width_inches, 3.2))
    axes = figure.subplots()
    weeks = _week_labels(summary, text)
    bottom = [0] * len(weeks)
    for name, colour in SENTIMENT_COLOURS.items():
        values = [getattr(week, name) for week in summary.sentiment_trend]
        axes.bar(weeks, values, bottom=bottom, color=colour, label=text[name])
        bottom = [low + value for low, value in zip(bottom, values, strict=True)]
    axes.set_title(text["sentiment"], loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, ncols=3, loc="upper left", bbox_to_anchor=(0, -0.12))
    return _png(figure, settings.chart_dpi)


def branches_chart(
    summary: WeeklySummary, names: dict[str, str], text: dict[str, str], settings: Tunables
) -> bytes:
    rows = sorted(summary.by_branch, key=lambda row: row.count)
    figure = Figure(figsize=(settings.chart_width_inches, 0.45 * max(len(rows), 2) + 1.2))
    axes = figure.subplots()
    labels = [names.get(row.key, row.key) for row in rows]
    axes.barh(labels, [row.count for row in rows], color=MENTION_COLOUR, label=text["mentions"])
    axes.barh(
        labels, [row.complaints for row in rows], color=COMPLAINT_COLOUR, label=text["complaints"]
    )
    axes.set_title(text["branch_chart"], loc="left", fontsize=11)
    axes.tick_params(axis="y", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    return _png(figure, settings.chart_dpi)
