"""The one error type of the HTTP API: a status and a message for a person.

Every route answers a bad request with `{"error": "..."}` (the key TF
Serving uses too) and a status code; `ApiError` carries both, and
`app.create_app` turns it into the response.
"""

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An HTTP error answered as JSON `{"error": message}`.

    Args:
        status: The HTTP status code (400, 413, 503, ...).
        message: What was wrong and how to fix it.
        headers: Extra response headers (e.g. `Retry-After`).
    """

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def bad_request(error):
    """An `ApiError` 400 with the message of a library `ValueError`."""
    return ApiError(400, str(error))


def response(error):
    """The JSON response of an `ApiError`."""
    return JSONResponse({"error": error.message}, status_code=error.status,
                        headers=error.headers)
