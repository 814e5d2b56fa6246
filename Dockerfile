# Zscaler MCP Gateway: two images from one Dockerfile.
#   --target gateway (the default, last stage): the gateway alone, no kubernetes client nor kopf inside.
#     API keys mounted at /var/run/secrets/zscaler-mcp-api-keys, credentials at /var/run/secrets/zscaler,
#     policy at /etc/zscaler-mcp (the chart and the operator do this).
#     local demo: docker run -p 8000:8000 IMAGE serve --simulator --host 0.0.0.0 --auth none
#   --target operator: the operator (kopf and the kubernetes client), `zscaler-mcp-operator run`.
# Both run as the numeric non-root user 10001 on a read-only root filesystem (mount /tmp).
# No `# syntax=` line: the builder's own Dockerfile frontend reads this file, so an air-gapped build pulls
# no frontend image.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the project wheel and every dependency of both images as wheels -----------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# README.md is the wheel's long description (pyproject's `readme`).
COPY pyproject.toml README.md ./
COPY server ./server
COPY operator ./operator
RUN python -m pip wheel --wheel-dir /wheels ".[operator]"

# --- runtime: what both images share; nothing to build with -----------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Zscaler MCP Gateway" \
      org.opencontainers.image.description="Kubernetes-native MCP gateway to the Zscaler Zero Trust Exchange APIs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/zscaler-mcp-gateway/zscaler-mcp-gateway"

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --gid 10001 zscaler \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin zscaler
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
WORKDIR /tmp
# Each target puts /opt/venv/bin on PATH after its install: before it, `python -m pip` would be the venv's,
# which has no pip.

# --- operator ----------------------------------------------------------------------------------
FROM runtime AS operator
LABEL org.opencontainers.image.title="Zscaler MCP Operator"
# Offline from the builder's wheels (bind-mounted, so they leave no layer behind), byte-compiled now
# because the root filesystem is read-only at run time; then pip and setuptools leave the image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install --no-index --find-links=/wheels \
        "zscaler-mcp-gateway[operator]" \
 && python -m pip uninstall --yes pip setuptools wheel \
 && /opt/venv/bin/zscaler-mcp-operator --help > /dev/null
ENV PATH="/opt/venv/bin:${PATH}"
USER 10001:10001
# 8080: kopf's liveness endpoint (--liveness).
EXPOSE 8080
ENTRYPOINT ["zscaler-mcp-operator"]
CMD ["run", "--standalone", "--all-namespaces", "--liveness=http://0.0.0.0:8080/healthz"]

# --- gateway (last: the default target) --------------------------------------------------------
FROM runtime AS gateway
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install --no-index --find-links=/wheels \
        "zscaler-mcp-gateway" \
 && python -m pip uninstall --yes pip setuptools wheel \
 && /opt/venv/bin/zscaler-mcp-gateway --help > /dev/null \
 && /opt/venv/bin/python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in ('kubernetes', 'kopf')))"
ENV PATH="/opt/venv/bin:${PATH}"
USER 10001:10001
# 8000: MCP (/mcp, /healthz, /readyz), 9090: /metrics.
EXPOSE 8000 9090
# For `docker run`; Kubernetes uses the chart's probes instead. Python is what the image has to ask with.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
ENTRYPOINT ["zscaler-mcp-gateway"]
# Beyond loopback the gateway refuses to serve without client authentication: API keys by default.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--metrics-port", "9090", "--api-keys-dir", "/var/run/secrets/zscaler-mcp-api-keys"]
