"""Intake's one router: ``api`` (signals, prescriptions) and ``admin`` (API keys) add their
routes to it, so the service and the gateway's OpenAPI document see one list."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
