# syntax=docker/dockerfile:1
#
# Zscaler MCP Gateway: one image, two entrypoints.
#   gateway (default):  API keys mounted at /var/run/secrets/zscaler-mcp-api-keys, credentials at
#                       /var/run/secrets/zscaler, policy at /etc/zscaler-mcp (the chart and the operator do this)
#   local demo:         docker run -p 8000:8000 IMAGE serve --simulator --host 0.0.0.0 --auth none
#   operator:           command ["zscaler-mcp-operator"], args ["run", "--all-namespaces"]
# Runs as the numeric non-root user 10001 and on a read-only root filesystem (mount /tmp).

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the project wheel and every dependency as wheels --------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
COPY server ./server
COPY operator ./operator
RUN python -m pip wheel --wheel-dir /wheels ".[operator]"

# --- runtime: the wheels installed into a venv, nothing to build with -------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Zscaler MCP Gateway" \
      org.opencontainers.image.description="Kubernetes-native MCP gateway to the Zscaler Zero Trust Exchange APIs, with its operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/zscaler-mcp-gateway/zscaler-mcp-gateway"

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install offline from the builder's wheels (bind-mounted, so they leave no layer behind),
# byte-compiled now because the root filesystem is read-only at run time; then drop pip and
# setuptools from the image.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install --no-index --find-links=/wheels \
        "zscaler-mcp-gateway[operator]" \
 && python -m pip uninstall --yes pip setuptools wheel \
 && groupadd --gid 10001 zscaler \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin zscaler

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp

# Both entrypoints import and start.
RUN zscaler-mcp-gateway --help > /dev/null \
 && zscaler-mcp-operator --help > /dev/null

USER 10001:10001
WORKDIR /tmp
# 8000: MCP (/mcp, /healthz, /readyz), 9090: /metrics, 8080: operator liveness.
EXPOSE 8000 9090 8080
ENTRYPOINT ["zscaler-mcp-gateway"]
# Beyond loopback the gateway refuses to serve without client authentication: API keys by default.
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--metrics-port", "9090", "--api-keys-dir", "/var/run/secrets/zscaler-mcp-api-keys"]
