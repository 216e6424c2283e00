"""Dataverse-shaped errors."""

from __future__ import annotations

from .http_types import Response, json_response


class ODataError(Exception):
    """An error answered as `{"error": {"code", "message"}}` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}

    def response(self) -> Response:
        return json_response(self.status, self.body(), self.headers)


def not_found(logical: str, row_id: str) -> ODataError:
    return ODataError(404, "0x80040217", f"Entity '{logical}' With Id = {row_id} Does Not Exist")


def segment_not_found(segment: str) -> ODataError:
    return ODataError(404, "0x8006088a", f"Resource not found for the segment '{segment}'.")


def no_property(name: str, logical: str) -> ODataError:
    return ODataError(
        400, "0x0", f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{logical}'."
    )


def method_not_allowed(method: str) -> ODataError:
    return ODataError(405, "0x80060888", f"The requested resource does not support http method '{method}'.")


def duplicate_key() -> ODataError:
    return ODataError(412, "0x80040237", "A record with matching key values already exists.")


def bad_request(message: str, code: str = "0x0") -> ODataError:
    return ODataError(400, code, message)


THROTTLE_MESSAGE = "Number of requests exceeded the limit of 6000 over time window of 300 seconds."


def fault_error(status: int, retry_after: int | None) -> ODataError:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if status == 429:
        return ODataError(429, "0x80072322", THROTTLE_MESSAGE, headers)
    if status >= 500:
        return ODataError(status, "0x80040216", "An unexpected error occurred.", headers)
    return ODataError(status, "0x80040216", f"The request failed with status {status}.", headers)
