"""The shape of every refusal the service and its editor answer: JSON
`{"error": message, "code": name}`, never cached; an unexpected exception is a 500 of the
same shape without details."""

from __future__ import annotations

from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def error_code(status: int) -> str:
    """The status's name as a stable machine-readable code: 404 → `not_found`."""
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def problem_response(status: int, message: str, headers: dict[str, str] | None = None
                     ) -> JSONResponse:
    """`{"error": message, "code": name}`, never cached."""
    return JSONResponse({"error": message, "code": error_code(status)}, status,
                        headers={"Cache-Control": "no-store", **(headers or {})})


async def internal_error(request: Request, exc: Exception) -> Response:
    """Any exception nothing else handled: a JSON 500 without details (a message could
    name server paths); the traceback goes to the log."""
    return problem_response(500, "internal server error; the server's log has the details")
