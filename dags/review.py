"""Staff review: every Monday 06:00 Europe/Paris the spreadsheet of the ISO week just ended is
dropped in a folder; on the 1st of each month at 04:00 the model is retrained with the stored
corrections, behind the gate.

Calls `review/` and `nlp/` only. The folder is `MURMURE_REVIEW_DIR` (default
`$MURMURE_HOME/review`); Elasticsearch is the Airflow connection `murmure_es`; the profile is the
file named by `MURMURE_PROFILE`. A model refused by the gate is a normal outcome, not a failure.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from summaries.connections import SCHEDULE_TIMEZONE, dag_es

START = datetime.fromisoformat("2026-10-05T06:00+02:00")


def _profile_path() -> Path:
    return Path(os.environ["MURMURE_PROFILE"])


def _folder() -> Path:
    default = Path(os.environ.get("MURMURE_HOME", "/var/lib/murmure")) / "review"
    return Path(os.environ.get("MURMURE_REVIEW_DIR", str(default)))


@dag(
    dag_id="murmure_review_export",
    schedule=CronTriggerTimetable(
        "0 6 * * 1", timezone=SCHEDULE_TIMEZONE, interval=timedelta(weeks=1)
    ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    params={"count": Param(50, type="integer", minimum=1, description="rows in the file")},
    tags=["murmure"],
    is_paused_upon_creation=False,  # a file in a folder: nothing changes until staff send it back
)
def murmure_review_export() -> None:
    @task
    def export() -> str:
        from config.profile import load_profile
        from review.export import mention_sureness, pick, week_mentions, write_workbook
        from summaries.weeks import Week

        context = get_current_context()
        start = context["data_interval_start"]
        if start is None:
            raise ValueError("this DAG needs a data interval: it exports the week before a run")
        profile = load_profile(_profile_path())
        week = Week.containing(start, profile.library.timezone)
        mentions = week_mentions(dag_es(), week, profile)
        if not mentions:
            return f"no mention in {week}"
        picked = pick(
            mentions,
            mention_sureness(mentions, _profile_path()),
            int(context["params"]["count"]),
            seed=str(week),
        )
        out = _folder() / f"a-relire-{week}.xlsx"
        write_workbook(picked, profile, week, out)
        return str(out)

    export()


@dag(
    dag_id="murmure_retrain",
    schedule=CronTriggerTimetable("0 4 1 * *", timezone=SCHEDULE_TIMEZONE),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["murmure"],
    # It can change the model that tags every mention: the IT person turns it on deliberately.
    is_paused_upon_creation=True,
)
def murmure_retrain() -> None:
    @task
    def train() -> dict[str, Any]:
        from nlp.retrain import retrain
        from review.labels import corrections

        posts = [c.labels() for c in corrections(dag_es())]
        result = retrain(posts, _profile_path())
        return {
            "version": result.version,
            "activated": result.activated,
            "gate": result.verdict.as_dict() if result.verdict else None,
        }

    train()


murmure_review_export()
murmure_retrain()
