"""The adapter to zscaler-sdk-python, the only package that touches the SDK.

- `client.py`: the SDK client's lifecycle: one per credential fingerprint, built in the background,
  rebuilt when the credentials change. It imports the SDK binding on first use, so importing the
  gateway never loads the SDK or `requests` (tests/unit/test_startup_imports.py).
- `sdk.py`: the SDK binding: client construction, the base-URL redirect, the bounded request executor
  and the process-wide speed-ups; every SDK import and every reliance on SDK internals lives here.
- `executor.py`: one tool call: arguments shaped as the SDK method wants them, its result as the
  tool's payload (a table over `SdkResult`), SDK errors as `UpstreamError`.
"""
