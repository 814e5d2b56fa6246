"""How tool calls and their confirmation steps end: the values the audit line, the metrics and the span share."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How a tool call ended: the `outcome` label, the audit line's field and the span attribute."""

    OK = "ok"
    ERROR = "error"  # the upstream or the gateway failed it
    DENIED = "denied"  # policy, principal, confirmation, authentication, Host/Origin or session refused it
    INVALID = "invalid"  # its arguments or the request itself were malformed


class ConfirmationOutcome(StrEnum):
    """Every step a confirmation can take: the `confirmation` audit field and the metric's `outcome`."""

    ASKED = "asked"  # a question went to the user
    APPROVED = "approved"
    DECLINED = "declined"  # declined, cancelled or not ticked
    EXPIRED = "expired"  # no answer in the window, or a token past its expiry
    FORGED = "forged"  # no token, or one this gateway's keys did not sign
    REPLAYED = "replayed"  # a token already redeemed on this replica
    WRONG_PRINCIPAL = "wrong_principal"  # a token issued to another principal
    MISMATCHED = "mismatched"  # a token for another tool or other arguments
    UNAVAILABLE = "unavailable"  # nobody can be asked on this connection
    CANCELLED = "cancelled"  # the client gave up while the user was being asked
    OVERLOADED = "overloaded"  # the replay cache is full of live tokens: refused rather than forgetting one
