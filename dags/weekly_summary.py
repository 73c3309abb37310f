"""Weekly summary for managers: every Monday 07:00 Europe/Paris, for the ISO week just ended.

Thin on purpose: every task calls `summaries/`. The week comes from the run's data interval (the
seven days before the run), never from the clock, so a rerun or a catch-up run summarises the
same week. Sending is recorded per week in `murmure-summaries`: a rerun does not send again
unless triggered with `{"force": true}`. Elasticsearch and SMTP are the Airflow connections
`murmure_es` and `murmure_smtp`; the profile is the file named by `MURMURE_PROFILE`.
"""

from datetime import timedelta
from typing import Any

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from config.settings import Settings
from summaries.connections import SCHEDULE_TIMEZONE, dag_es, dag_profile, dag_smtp

START = Settings().summaries_start


@dag(
    dag_id="murmure_weekly_summary",
    schedule=CronTriggerTimetable(
        "0 7 * * 1", timezone=SCHEDULE_TIMEZONE, interval=timedelta(weeks=1)
    ),
    start_date=START,
    catchup=True,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=5)},
    params={
        "force": Param(False, type="boolean", description="send even if already sent"),
        "language": Param(None, type=["null", "string"], enum=[None, "fr", "en"]),
    },
    tags=["murmure"],
    is_paused_upon_creation=False,  # Airflow's default would leave it paused: nothing is sent
)
def murmure_weekly_summary() -> None:
    @task
    def compute() -> dict[str, Any]:
        from summaries.compute import compute_summary
        from summaries.weeks import Week

        context = get_current_context()
        profile = dag_profile()
        start = context["data_interval_start"]
        if start is None:
            raise ValueError("this DAG needs a data interval: it summarises the week before a run")
        week = Week.containing(start, profile.library.timezone)
        language = context["params"].get("language")
        summary = compute_summary(dag_es(), profile, week, language=language)
        return summary.model_dump(mode="json")

    @task
    def render(summary: dict[str, Any]) -> dict[str, Any]:
        from schemas.summary import WeeklySummary
        from summaries.render import render_report
        from summaries.report_json import report_to_json

        report = render_report(WeeklySummary.model_validate(summary), dag_profile())
        return report_to_json(report)

    @task
    def send(summary: dict[str, Any], report: dict[str, Any]) -> str | None:
        from schemas.summary import WeeklySummary
        from summaries.deliver import send_once
        from summaries.report_json import report_from_json

        return send_once(
            dag_es(),
            WeeklySummary.model_validate(summary),
            report_from_json(report),
            smtp=dag_smtp(),
            recipients=dag_profile().summaries.recipients,
            force=bool(get_current_context()["params"].get("force")),
        )

    @task
    def archive(summary: dict[str, Any], report: dict[str, Any], sent: str | None) -> str:
        from schemas.summary import WeeklySummary
        from summaries.archive import index_summary, report_path, save_files
        from summaries.report_json import report_from_json

        model = WeeklySummary.model_validate(summary)
        rendered = report_from_json(report)
        path = save_files(rendered, report_path(Settings().reports_dir, model))
        return index_summary(dag_es(), model, rendered, path)

    # XComArgs stand for the task results until the run resolves them.
    summary: Any = compute()
    report: Any = render(summary)
    sent: Any = send(summary, report)
    archive(summary, report, sent)


murmure_weekly_summary()
