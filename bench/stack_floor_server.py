"""The start-up floor of the prescribed stack: the least a server on it does before its health check answers.

    python bench/stack_floor_server.py PORT

A bare `mcp` lowlevel Server behind the SDK's streamable HTTP session manager, a Starlette app with
one health route, served by uvicorn (with uvloop and httptools when installed, as the gateway is):
the same imports every server on this stack pays, with no tools, policy, catalog or telemetry.
bench/run.py starts it with the gateway's interpreter in the start-up rounds ("stack floor" row), so the
start-up ratio can be read against what no server built on these packages avoids.
"""

from __future__ import annotations

import sys

HEALTH_PATH = "/healthz"


def main(port: int) -> None:
    # imported here, not at the top: bench/run.py reads HEALTH_PATH without loading the stack
    import contextlib
    from collections.abc import AsyncIterator

    import uvicorn
    from mcp.server.lowlevel import Server
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    sessions = StreamableHTTPSessionManager(Server("stack-floor"))

    async def healthz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with sessions.run():
            yield

    app = Starlette(
        routes=[Route("/mcp", StreamableHTTPASGIApp(sessions)), Route(HEALTH_PATH, healthz)], lifespan=lifespan
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
