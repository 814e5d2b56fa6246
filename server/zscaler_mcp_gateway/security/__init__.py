"""Security of the gateway: authentication (API keys, OAuth2 JWT), per-principal tool patterns,
Host/Origin validation, and human confirmation of deletes. See docs/security.md."""
