"""What a failed upstream call raises."""

from __future__ import annotations


class TokenRequestError(Exception):
    """The OneAPI token endpoint refused the credentials or did not answer.

    The message names the OAuth error code (or the HTTP status) and never the answer's body: an
    endpoint or a proxy may echo the submitted form, client secret included.
    """


class ArgumentRejected(Exception):
    """An argument the SDK method cannot take, found before any request (the message names the argument)."""


class UpstreamError(Exception):
    """A failed call to Zscaler; `status` is the HTTP status when one was received."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UpstreamUnavailable(UpstreamError):
    """No answer from Zscaler (unreachable, or too slow): the message is the whole story."""
