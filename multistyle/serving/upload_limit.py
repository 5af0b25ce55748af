"""Refuses request bodies larger than the upload cap (413), as they arrive.

A body that declares its size (`Content-Length`) over the cap is refused
before a byte of it is read; one that does not (chunked) is counted as it
arrives and refused when the count passes the cap, so no route ever holds
more than the cap in memory.
"""

from multistyle.serving import errors


def too_large_error(max_bytes):
    """The `ApiError` 413 for a body over `max_bytes`."""
    return errors.ApiError(
        413, f"The request body is larger than the server's limit of "
             f"{max_bytes / 2**20:g} MiB (`max_upload_mb`). Send a smaller "
             "photo (JPEG, or downsized).")


class UploadSizeLimit:
    """ASGI middleware: bodies over `max_bytes` get 413.

    Args:
        app: The ASGI app to protect.
        max_bytes: The largest body, bytes.

    Over the cap mid-stream, the app's read raises `ApiError` 413, which
    the app answers like any other error.
    """

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                return await errors.response(errors.ApiError(
                    400, "The Content-Length header must be a whole "
                         f"number of bytes. Received: {declared!r}"))(
                    scope, receive, send)
            if too_large:
                return await errors.response(too_large_error(
                    self.max_bytes))(scope, receive, send)
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise too_large_error(self.max_bytes)
            return message

        return await self.app(scope, counted_receive, send)
