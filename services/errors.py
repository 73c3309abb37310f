"""The one exception type the services layer raises for problems a person can fix."""


class ServiceError(Exception):
    """A readable failure (missing tool, busy port, failed download, service not answering).

    The CLI prints the message as is, without a traceback, and exits with code 1.
    """
