"""The e-mail of a report: plain text, then HTML with the charts as related inline images."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from summaries.render import Report


def build_email(report: Report, *, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(report.text)
    message.add_alternative(report.html_email, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for name, png in report.charts.items():
        html_part.add_related(
            png, maintype="image", subtype="png", cid=f"<{name}>", filename=f"{name}.png"
        )
    return message
