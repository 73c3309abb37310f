"""Renders a `WeeklySummary`: HTML (Jinja2, autoescaped: post text is untrusted), text, charts.

The same HTML serves the e-mail (charts as inline `cid:` parts) and the saved file (charts as
`data:` URIs), so what is archived is what managers read.
"""

import base64
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from config.profile import Profile
from schemas.base import is_web_url, strip_control_characters
from schemas.summary import TopicTrend, WeeklySummary
from summaries.charts import branches_chart, sentiment_chart, topics_chart
from summaries.messages import branch_names, messages, topic_labels
from summaries.settings import Tunables, tunables

CHARTS = ("topics", "sentiment", "branches")
_TOPIC_ROWS = 12  # rows of the topic table; the chart and "what got worse" carry the rest
_WORSE = 3  # deteriorated topics listed first


@dataclass(frozen=True)
class Report:
    week: str
    language: str
    subject: str
    text: str
    html_email: str  # charts referenced as cid:<name>
    html_file: str  # charts embedded as data: URIs
    charts: dict[str, bytes]


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("summaries", ""),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=not autoescape,
        keep_trailing_newline=True,
        finalize=_printable,  # a stored document may predate the contract's cleaning
    )
    env.tests["web_url"] = lambda value: isinstance(value, str) and is_web_url(value)
    env.filters["percent"] = lambda value: f"{round(value * 100)} %"
    env.filters["change"] = _change
    return env


def _printable(value: object) -> object:
    return strip_control_characters(value) if isinstance(value, str) else value


def _change(value: float | None, new: str) -> str:
    return new if value is None else f"{value * 100:+.0f} %"


def worst_topics(summary: WeeklySummary) -> list[TopicTrend]:
    return [topic for topic in summary.topics if topic.deterioration > 0][:_WORSE]


def render_report(
    summary: WeeklySummary, profile: Profile, *, settings: Tunables | None = None
) -> Report:
    settings = settings or tunables()
    text = messages(summary.language)
    labels = topic_labels(profile, summary.language)
    branches = branch_names(profile, summary.language)
    zone = ZoneInfo(summary.timezone)
    charts = {
        "topics": topics_chart(summary, labels, text, settings),
        "sentiment": sentiment_chart(summary, text, settings),
        "branches": branches_chart(summary, branches, text, settings),
    }
    last_day = summary.week_end.astimezone(zone).date().toordinal() - 1
    period = text["period"].format(
        start=summary.week_start.astimezone(zone).date().isoformat(),
        end=datetime.fromordinal(last_day).date().isoformat(),
    )
    subject = text["subject"].format(
        library=summary.library_name or summary.library_id, week=summary.week
    )
    context = {
        "summary": summary,
        "t": text,
        "labels": labels,
        "branches": branches,
        "period": period,
        "subject": subject,
        "worse": worst_topics(summary),
        "shown_topics": [topic for topic in summary.topics if topic.count][:_TOPIC_ROWS],
        "waiting_hours": settings.waiting_after_hours,
    }

    def html(images: dict[str, str]) -> str:
        env = _environment(autoescape=True)
        env.filters["local"] = lambda moment: moment.astimezone(zone).strftime("%d/%m %H:%M")
        return env.get_template("email.html.j2").render(context | {"images": images})

    plain = _environment(autoescape=False)
    plain.filters["local"] = lambda moment: moment.astimezone(zone).strftime("%d/%m %H:%M")
    return Report(
        week=summary.week,
        language=summary.language,
        subject=subject,
        text=plain.get_template("email.txt.j2").render(context),
        html_email=html({name: f"cid:{name}" for name in CHARTS}),
        html_file=html(
            {
                name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
                for name, png in charts.items()
            }
        ),
        charts=charts,
    )
