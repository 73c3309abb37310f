"""Retention: every day at 03:30 Europe/Paris, expire old data and process erasure requests.

Calls `retention/`, which the summaries stage helps: an erasure re-renders the reports quoting
what it erased. The cut-off is the run's logical date minus the profile's
`retention_days` (never the clock), so a rerun deletes the same things. The two tasks do not
wait for each other: a failing expiry never holds back an erasure. Each does all it can, then
fails if something could not be done, so the run shows it and its retries try again.
Elasticsearch is the Airflow connection `murmure_es`; the profile is the file named by
`MURMURE_PROFILE`.
"""

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import CronTriggerTimetable, dag, get_current_context, task

from summaries.connections import SCHEDULE_TIMEZONE, dag_es, dag_profile


@dag(
    dag_id="murmure_retention",
    schedule=CronTriggerTimetable("30 3 * * *", timezone=SCHEDULE_TIMEZONE),
    start_date=datetime.fromisoformat("2026-10-01T03:30+02:00"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=10)},
    tags=["murmure"],
    is_paused_upon_creation=False,  # Airflow's default would leave it paused: nothing expires
)
def murmure_retention() -> None:
    @task
    def expire() -> dict[str, Any]:
        from retention.expiry import expire as expire_old

        now = get_current_context()["logical_date"]
        report = expire_old(dag_es(), retention_days=dag_profile().retention_days, now=now)
        if report.problems:
            raise RuntimeError("; ".join(report.problems))
        return {
            "cutoff": report.cutoff.isoformat(),
            "indices_deleted": report.indices_deleted,
            "documents_deleted": dict(report.documents_deleted),
        }

    @task
    def erase() -> list[dict[str, Any]]:
        from retention.requests import process_requests
        from summaries.erasure import scrub_summaries

        done_at = get_current_context()["logical_date"]
        run = process_requests(
            dag_es(), dag_profile(), rewrite_summaries=scrub_summaries, now=lambda: done_at
        )
        if run.failed:
            raise RuntimeError(
                "; ".join(f"{request} stays pending: {why}" for request, why in run.failed.items())
            )
        return [report.as_dict() for report in run.done]

    expire()
    erase()


murmure_retention()
