"""The Dataverse Web API client."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .auth import TokenProvider
from .batch import Batch, BatchResponse, boundary_from_content_type
from .errors import AuthenticationError, DataverseError, ThrottledError, error_for_status
from .odata import (
    BASE_HEADERS,
    JSON_CONTENT_TYPE,
    check_name,
    entity_path,
    format_key,
    literal,
    parse_entity_id,
    prefer_header,
    query_string,
)
from .retry import RetryPolicy
from .transport import build_session, transport_error

logger = logging.getLogger("dataverse")

Timeout = float | tuple[float, float]


@dataclass
class QueryPage:
    """One page of a query. Unpacks as ``rows, next_link = page``."""

    rows: list[dict[str, Any]]
    next_link: str | None
    count: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def __iter__(self) -> Iterator[Any]:
        yield self.rows
        yield self.next_link


class DataverseClient:
    """A small, explicit client for ``{org_url}/api/data/{api_version}/``.

    The HTTP session, clock and sleep function are injectable; every request has a timeout; failures raise the
    typed errors of :mod:`dataverse.errors`; throttling and transient failures are retried per ``retry``.
    """

    def __init__(
        self,
        org_url: str,
        token_provider: TokenProvider,
        *,
        session: requests.Session | None = None,
        timeout: Timeout = (5, 30),
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        api_version: str = "v9.2",
    ) -> None:
        parts = urlsplit(org_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(
                f"org_url must be an absolute URL such as https://contoso.crm.dynamics.com: {org_url!r}"
            )
        self.org_url = f"{parts.scheme}://{parts.netloc}"
        self.api_version = api_version
        self.service_path = f"/api/data/{api_version}/"
        self.service_root = self.org_url + self.service_path
        self.token_provider = token_provider
        self.session = session if session is not None else build_session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"DataverseClient({self.org_url!r})"

    # -- transport

    def _url(self, path: str) -> str:
        return path if "://" in path else self.service_root + path

    def _headers(self, extra: Mapping[str, str] | None, has_json: bool) -> dict[str, str]:
        headers = dict(BASE_HEADERS)
        if has_json:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        headers.update(extra or {})
        headers["Authorization"] = f"Bearer {self.token_provider.get_token()}"
        return headers

    def _send_once(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str] | None, has_json: bool
    ) -> requests.Response:
        all_headers = self._headers(headers, has_json)
        try:
            return self.session.request(method, url, data=body, headers=all_headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise transport_error(exc, method, url) from None

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw_body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        handle: Callable[[requests.Response], Any] | None = None,
    ) -> Any:
        """Send with retries. ``handle`` turns a response into the result and may raise a DataverseError."""
        url = self._url(path)
        has_json = json_body is not None
        body = raw_body
        if has_json:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        policy = self.retry
        started = self.clock()
        attempt = 0
        token_refreshed = False
        while True:
            attempt += 1
            try:
                response = self._send_once(method, url, body, headers, has_json)
                if handle is not None:
                    return handle(response)
                if response.status_code >= 400:
                    raise self._error(response, method, url)
                return response
            except AuthenticationError as err:
                # A 401 for a cached token usually means it was revoked or expired early: fetch a new one.
                invalidate = getattr(self.token_provider, "invalidate", None)
                if err.status == 401 and not token_refreshed and callable(invalidate):
                    token_refreshed = True
                    logger.info(
                        "Dataverse answered 401 to %s %s; retrying once with a new token", method, url
                    )
                    invalidate()
                    attempt -= 1
                    continue
                raise
            except DataverseError as err:
                if not policy.is_retryable(err, idempotent=idempotent):
                    raise
                delay = policy.delay_for(err, attempt)
                out_of_attempts = attempt >= policy.max_attempts
                out_of_time = (self.clock() - started) + delay > policy.max_total_seconds
                if out_of_attempts or out_of_time:
                    if isinstance(err, ThrottledError) and err.retry_after is None:
                        err.retry_after = delay
                    logger.warning("Giving up on %s %s after %d attempt(s): %s", method, url, attempt, err)
                    raise
                logger.info(
                    "Retry %d of %d for %s %s in %.1f s: %s",
                    attempt,
                    policy.max_retries,
                    method,
                    url,
                    delay,
                    err,
                )
                if policy.on_retry is not None:
                    policy.on_retry(attempt, err, delay)
                self.sleep(delay)

    @staticmethod
    def _error(response: requests.Response, method: str, url: str) -> DataverseError:
        return error_for_status(
            response.status_code,
            dict(response.headers),
            response.content,
            request_method=method,
            request_url=url,
        )

    @staticmethod
    def _json(response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise DataverseError(
                f"Dataverse returned a body that is not JSON: {response.text[:200]!r}",
                status=response.status_code,
            ) from exc

    # -- records

    def create(
        self,
        entity_set: str,
        data: Mapping[str, Any],
        *,
        return_representation: bool = False,
        select: str | Iterable[str] | None = None,
    ) -> str | dict[str, Any]:
        """POST a new row. Returns its id, or the row itself with ``return_representation``.

        Creates are never resent after a 5xx or a lost answer, since the first attempt may have been applied;
        to make a create safely repeatable, choose the id and use :meth:`upsert`.
        """
        path = check_name(entity_set, "entity set")
        headers = {}
        if return_representation:
            path += query_string(select=select)
            headers["Prefer"] = prefer_header(return_representation=True) or ""
        response = self._request("POST", path, json_body=dict(data), headers=headers, idempotent=False)
        if response.status_code == 201 and response.content:
            return self._json(response)
        entity_id = parse_entity_id(
            response.headers.get("OData-EntityId") or response.headers.get("Location")
        )
        if entity_id is None:
            raise DataverseError(
                "Dataverse accepted the create but returned no OData-EntityId header.",
                status=response.status_code,
                request_method="POST",
                request_url=self._url(path),
            )
        if return_representation:
            return self.retrieve(entity_set, entity_id, select=select)
        return entity_id

    def retrieve(
        self,
        entity_set: str,
        id: str,
        *,
        select: str | Iterable[str] | None = None,
        expand: str | Iterable[str] | None = None,
    ) -> dict[str, Any]:
        path = entity_path(entity_set, id) + query_string(select=select, expand=expand)
        return self._json(self._request("GET", path, idempotent=True)) or {}

    def update(self, entity_set: str, id: str, data: Mapping[str, Any], *, if_match: str = "*") -> None:
        """Update an existing row only (``If-Match: *``); raises NotFoundError instead of creating it."""
        self._request(
            "PATCH",
            entity_path(entity_set, id),
            json_body=dict(data),
            headers={"If-Match": if_match},
            idempotent=True,
        )

    def upsert(
        self, entity_set: str, id: str, data: Mapping[str, Any], *, return_representation: bool = False
    ) -> bool | None:
        """Create or update the row with this key. With ``return_representation`` returns True when created,
        False when updated; otherwise None (Dataverse answers 204 in both cases)."""
        headers = {"Prefer": "return=representation"} if return_representation else None
        response = self._request(
            "PATCH", entity_path(entity_set, id), json_body=dict(data), headers=headers, idempotent=True
        )
        if not return_representation:
            return None
        return response.status_code == 201

    def delete(self, entity_set: str, id: str, *, if_match: str | None = None) -> None:
        headers = {"If-Match": if_match} if if_match else None
        self._request("DELETE", entity_path(entity_set, id), headers=headers, idempotent=True)

    # -- queries

    def _page(self, url: str, page_size: int | None, include_annotations: str | None) -> QueryPage:
        prefer = prefer_header(page_size=page_size, include_annotations=include_annotations)
        response = self._request("GET", url, headers={"Prefer": prefer} if prefer else None, idempotent=True)
        data = self._json(response) or {}
        count = data.get("@odata.count")
        return QueryPage(
            rows=list(data.get("value") or []),
            next_link=data.get("@odata.nextLink"),
            count=int(count) if count is not None else None,
            raw=data,
        )

    def query_page(
        self,
        entity_set: str,
        *,
        select: str | Iterable[str] | None = None,
        filter: str | None = None,
        orderby: str | Iterable[str] | None = None,
        top: int | None = None,
        expand: str | Iterable[str] | None = None,
        page_size: int | None = None,
        count: bool = False,
        include_annotations: str | None = None,
    ) -> QueryPage:
        """The first page of a query; pass ``page.next_link`` to :meth:`follow` for the next one."""
        path = check_name(entity_set, "entity set") + query_string(
            select=select, filter=filter, orderby=orderby, top=top, expand=expand, count=count
        )
        return self._page(path, page_size, include_annotations)

    def follow(
        self, next_link: str, *, page_size: int | None = None, include_annotations: str | None = None
    ) -> QueryPage:
        """Fetch the page behind an ``@odata.nextLink`` (used unchanged); pass the same ``page_size``."""
        if not next_link.lower().startswith(self.service_root.lower()):
            # The bearer token must only ever go to this org.
            raise ValueError("next_link does not belong to this Dataverse environment")
        return self._page(next_link, page_size, include_annotations)

    def query(
        self,
        entity_set: str,
        *,
        select: str | Iterable[str] | None = None,
        filter: str | None = None,
        orderby: str | Iterable[str] | None = None,
        top: int | None = None,
        expand: str | Iterable[str] | None = None,
        page_size: int | None = None,
        count: bool = False,
        include_annotations: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching row, following ``@odata.nextLink`` page by page (lazily)."""
        page = self.query_page(
            entity_set,
            select=select,
            filter=filter,
            orderby=orderby,
            top=top,
            expand=expand,
            page_size=page_size,
            count=count,
            include_annotations=include_annotations,
        )
        yield from self._rows(page, page_size, include_annotations)

    def _rows(
        self, page: QueryPage, page_size: int | None, include_annotations: str | None
    ) -> Iterator[dict[str, Any]]:
        """The rows of ``page`` and of every page after it, fetched as they are reached."""
        while True:
            yield from page.rows
            if not page.next_link:
                return
            page = self.follow(page.next_link, page_size=page_size, include_annotations=include_annotations)

    # -- relationships

    def associate(
        self, entity_set: str, id: str, nav_property: str, target_entity_set: str, target_id: str
    ) -> None:
        """Add ``target`` to a collection-valued navigation property (1:N or N:N) through ``$ref``."""
        path = f"{entity_path(entity_set, id)}/{check_name(nav_property, 'navigation property')}/$ref"
        body = {"@odata.id": self.service_root + entity_path(target_entity_set, target_id)}
        # Not resent after 5xx: associating an N:N pair twice fails with a duplicate error.
        self._request("POST", path, json_body=body, idempotent=False)

    def disassociate(self, entity_set: str, id: str, nav_property: str, target_id: str | None = None) -> None:
        """Remove a ``$ref`` link; without ``target_id`` clears a single-valued navigation property."""
        nav = check_name(nav_property, "navigation property")
        if target_id is not None:
            nav = f"{nav}({format_key(target_id)})"
        self._request("DELETE", f"{entity_path(entity_set, id)}/{nav}/$ref", idempotent=True)

    def related(
        self,
        entity_set: str,
        id: str,
        nav_property: str,
        *,
        select: str | Iterable[str] | None = None,
        filter: str | None = None,
    ) -> list[dict[str, Any]]:
        """The rows reachable through a collection-valued navigation property (all pages)."""
        path = f"{entity_path(entity_set, id)}/{check_name(nav_property, 'navigation property')}"
        page = self._page(path + query_string(select=select, filter=filter), None, None)
        return list(self._rows(page, None, None))

    # -- functions and metadata

    def who_am_i(self) -> dict[str, Any]:
        """``BusinessUnitId``, ``UserId`` and ``OrganizationId`` of the calling application user."""
        return self._json(self._request("GET", "WhoAmI", idempotent=True)) or {}

    def entity_definition(
        self,
        logical_name: str,
        *,
        select: str | Iterable[str] | None = None,
        expand: str | Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Table metadata, e.g. ``EntitySetName``, ``PrimaryIdAttribute`` and ``PrimaryNameAttribute``."""
        check_name(logical_name, "logical name")
        path = f"EntityDefinitions(LogicalName={literal(logical_name)})" + query_string(
            select=select, expand=expand
        )
        return self._json(self._request("GET", path, idempotent=True)) or {}

    # -- $batch

    def execute_batch(self, batch: Batch, *, continue_on_error: bool = False) -> BatchResponse:
        """Send a ``$batch``. Without ``continue_on_error`` a failed operation raises its typed error (with
        ``operation_label``/``content_id`` naming it and ``batch_response`` attached); with it, failures are
        returned in the response for the caller to inspect.

        The batch is resent after throttling, and after 5xx or lost answers only when every write in it is a
        keyed PATCH/PUT/DELETE (so resending cannot duplicate rows).
        """
        body = batch.serialize(self.service_path, self.service_root)
        url = self._url("$batch")
        headers = {"Content-Type": batch.content_type}
        prefer = prefer_header(continue_on_error=continue_on_error)
        if prefer:
            headers["Prefer"] = prefer

        def handle(response: requests.Response) -> BatchResponse:
            content_type = response.headers.get("Content-Type", "")
            if (
                not content_type.lower().startswith("multipart/")
                or boundary_from_content_type(content_type) is None
            ):
                if response.status_code >= 400:
                    raise self._error(response, "POST", url)
                raise DataverseError(
                    f"Dataverse answered the $batch with {content_type or 'no content type'}, not multipart.",
                    status=response.status_code,
                    request_method="POST",
                    request_url=url,
                )
            parsed = BatchResponse(
                response.status_code,
                dict(response.headers),
                response.content.decode("utf-8", "replace"),
                batch,
                request_url=url,
            )
            if not continue_on_error:
                parsed.raise_for_status()
            return parsed

        return self._request(
            "POST", url, raw_body=body, headers=headers, idempotent=batch.is_idempotent, handle=handle
        )
