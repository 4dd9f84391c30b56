"""``GET /healthz``: is the database reachable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse


def _database_ok(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"down: {type(exc).__name__}"
    return "ok"


def health_endpoint(engine: Engine) -> Any:
    async def endpoint(_request: Request) -> JSONResponse:
        database = await run_in_threadpool(_database_ok, engine)
        if database != "ok":
            return JSONResponse({"status": "down", "database": database}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return endpoint
