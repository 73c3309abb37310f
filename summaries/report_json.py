"""A rendered report as JSON (charts in base64), to pass between Airflow tasks through XCom."""

import base64
from typing import Any

from summaries.render import Report


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "week": report.week,
        "language": report.language,
        "subject": report.subject,
        "text": report.text,
        "html_email": report.html_email,
        "html_file": report.html_file,
        "charts": {
            name: base64.b64encode(png).decode("ascii") for name, png in report.charts.items()
        },
    }


def report_from_json(data: dict[str, Any]) -> Report:
    return Report(
        week=str(data["week"]),
        language=str(data["language"]),
        subject=str(data["subject"]),
        text=str(data["text"]),
        html_email=str(data["html_email"]),
        html_file=str(data["html_file"]),
        charts={name: base64.b64decode(png) for name, png in data["charts"].items()},
    )
