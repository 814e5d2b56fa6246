"""Where the gateway looks for OneAPI credentials and what each file (or env var) is called.

The contract between a Kubernetes Secret (`kubectl create secret generic --from-env-file=.env`), the
operator that mounts it, and `credentials.py` that reads it. Names only: no I/O.
"""

from __future__ import annotations

DEFAULT_CREDENTIALS_DIR = "/var/run/secrets/zscaler"
CLIENT_ID = "ZSCALER_CLIENT_ID"
CLIENT_SECRET = "ZSCALER_CLIENT_SECRET"
PRIVATE_KEY = "ZSCALER_PRIVATE_KEY"
CUSTOMER_ID = "ZSCALER_CUSTOMER_ID"
VANITY_DOMAIN = "ZSCALER_VANITY_DOMAIN"
CLOUD = "ZSCALER_CLOUD"
ZCELL_CUSTOMER_ID = "ZCELL_CUSTOMER_ID"  # optional, the official server's Cellular tenant id
KEYS = (CLIENT_ID, CLIENT_SECRET, PRIVATE_KEY, CUSTOMER_ID, VANITY_DOMAIN, CLOUD, ZCELL_CUSTOMER_ID)
