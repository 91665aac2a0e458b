"""The API documents: the merged OpenAPI document (``/openapi.json``), Swagger UI on it
(``/docs``) and the AsyncAPI document of the events (``/asyncapi.json``).

Swagger UI's script, style sheet and icon come from the installed ``fastapi-offline`` package
and are served from the gateway's own ``/static/swagger-ui/``: the page loads nothing from
another host, so it works offline and behind strict networks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from schakel.gateway.pages.asyncapi_page import cached_asyncapi

SWAGGER_UI_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_UI_PATH = "/static/swagger-ui"
# No online validator badge: Swagger UI would otherwise send the document's URL elsewhere.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}


def document_router(openapi: dict[str, Any]) -> APIRouter:
    """The routes of the documents; ``openapi`` is built once, at start-up."""
    router = APIRouter(include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi_json() -> JSONResponse:
        return JSONResponse(openapi)

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="schakel API",
            swagger_js_url=f"{SWAGGER_UI_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI_PATH}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @router.get("/asyncapi.json")
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(cached_asyncapi())

    return router


def mount_swagger_ui(app: FastAPI) -> None:
    """Swagger UI's files; mount before ``/static``, which would otherwise take the path."""
    app.mount(SWAGGER_UI_PATH, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")
