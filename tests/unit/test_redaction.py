"""Known secrets are scrubbed from every log record as it is made, in every spelling an echo gives them."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from zscaler_mcp_gateway.redaction import REDACTED, SecretSet, install_log_redaction, remember_secrets, scrub

SECRET = "unit-secret-7Hq+/=&x"  # characters a form or JSON spells differently
KEY = "\n".join(
    [
        "-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
        "-----END PRIVATE KEY-----",
    ]
)


def test_every_spelling_of_a_secret_is_scrubbed() -> None:
    secrets = SecretSet()
    secrets.remember([SECRET, KEY])
    echoes = [
        SECRET,
        urlencode({"client_secret": SECRET}),
        json.dumps({"client_secret": SECRET}),
        json.dumps({"key": KEY}),
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",  # one line of the key, re-wrapped by an echo
    ]
    for echo in echoes:
        assert REDACTED in secrets.scrub(echo)
        assert SECRET not in secrets.scrub(echo) and "MIIEvQIBADANBgkq" not in secrets.scrub(echo)


def test_short_values_are_not_secrets_and_rotation_keeps_old_ones() -> None:
    secrets = SecretSet()
    secrets.remember(["abc", "first-secret-value"])
    secrets.remember(["second-secret-value"])
    assert secrets.scrub("abc first-secret-value second-secret-value") == f"abc {REDACTED} {REDACTED}"


def test_sdk_log_records_and_their_exceptions_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    remember_secrets(SECRET)
    sdk = logging.getLogger("zscaler.oneapi_oauth_client")
    with caplog.at_level(logging.INFO):
        logging.error(f"Error authenticating: 401, client_secret={SECRET}")  # the SDK logs through the root logger
        sdk.warning("form was %s", urlencode({"client_secret": SECRET}))
        try:
            raise RuntimeError(f"echo {SECRET}")
        except RuntimeError:
            sdk.exception("failed")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert len(caplog.records) == 3 and SECRET not in text and text.count(REDACTED) >= 3
    assert scrub(f"x{SECRET}y") == f"x{REDACTED}y"


def test_a_shared_answer_is_scrubbed_of_a_secret_learned_after_it_was_made() -> None:
    from zscaler_mcp_gateway.dispatch import CallResult

    rotated = "rotated-in-later-9f8e7d6c"
    shared = CallResult({"records": [{"note": f"echoed {rotated}"}]})  # one answer, many callers (coalesced, cached)
    assert rotated in shared.text()  # not a secret yet
    remember_secrets(rotated)  # a credential rotation teaches the gateway a new secret
    assert rotated not in shared.text() and REDACTED in shared.text()
    assert json.loads(shared.serialized) == {"records": [{"note": f"echoed {rotated}"}]}  # made once, kept raw
