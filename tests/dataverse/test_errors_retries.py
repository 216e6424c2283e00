from __future__ import annotations

import ssl

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from dataverse import (
    AuthenticationError,
    DataverseClient,
    DataverseError,
    DuplicateError,
    NotFoundError,
    PreconditionFailedError,
    PrivilegeError,
    RetryPolicy,
    ServiceUnavailableError,
    ThrottledError,
    TransportError,
    ValidationError,
)

from .conftest import GUID, ORG, ROOT, make_response, odata_error

NOT_FOUND = f"Entity 'queue' With Id = {GUID} Does Not Exist"


@pytest.mark.parametrize(
    ("status", "code", "message", "cls"),
    [
        (404, "0x80040217", NOT_FOUND, NotFoundError),
        (
            412,
            "",
            "The version of the existing record doesn't match the RowVersion property provided.",
            PreconditionFailedError,
        ),
        (412, "0x80040237", "Cannot insert duplicate key", DuplicateError),
        (412, "", "A record with matching key values already exists.", DuplicateError),
        (403, "0x80040220", "Principal user is missing prvCreatequeue privilege", PrivilegeError),
        (400, "0x80044331", "A validation error occurred.", ValidationError),
        (
            429,
            "0x80072322",
            "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
            ThrottledError,
        ),
        (500, "0x80040216", "An unexpected error occurred.", ServiceUnavailableError),
        (405, "", "Method not allowed", DataverseError),
    ],
)
def test_status_maps_to_typed_error(status, code, message, cls, session, tokens, clock):
    session.add(odata_error(status, code, message, {"Retry-After": "3"} if status == 429 else None))
    client = DataverseClient(
        ORG, tokens, session=session, clock=clock, sleep=clock.sleep, retry=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(cls) as info:
        client.retrieve("queues", GUID)
    err = info.value
    assert type(err) is cls
    assert (err.status, err.code or "", err.message) == (status, code, message)
    assert err.request_method == "GET"
    assert err.request_url == ROOT + f"queues({GUID})"
    assert message in str(err)
    assert "token-" not in str(err) and "token-" not in repr(err)
    if status == 429:
        assert err.retry_after == 3


def test_duplicate_is_a_precondition_failure():
    assert issubclass(DuplicateError, PreconditionFailedError)


def test_401_carries_challenge_and_refreshes_token_once(client, session, tokens):
    challenge = "Bearer authorization_uri=https://login.microsoftonline.com/t/oauth2/authorize, resource_id=x"
    session.add(
        make_response(401, headers={"WWW-Authenticate": challenge}), make_response(200, {"UserId": "u"})
    )
    assert client.who_am_i() == {"UserId": "u"}
    assert tokens.invalidated == 1
    assert [r.headers["Authorization"] for r in session.requests] == ["Bearer token-0", "Bearer token-1"]

    session.add(
        make_response(401, headers={"WWW-Authenticate": challenge}),
        make_response(401, headers={"WWW-Authenticate": challenge}),
    )
    with pytest.raises(AuthenticationError) as info:
        client.who_am_i()
    assert info.value.www_authenticate == challenge
    assert challenge in str(info.value)
    assert tokens.invalidated == 2


def test_429_waits_retry_after_then_succeeds(client, session, clock):
    calls = []
    client.retry = RetryPolicy(on_retry=lambda n, err, delay: calls.append((n, type(err), delay)))
    session.add(
        odata_error(429, "0x80072322", "busy", {"Retry-After": "7"}),
        odata_error(429, "0x80072322", "busy", {"Retry-After": "2"}),
        make_response(204, headers={"OData-EntityId": f"{ROOT}queues({GUID})"}),
    )
    assert client.create("queues", {"name": "x"}) == GUID  # even a POST: 429 means it was not executed
    assert clock.sleeps == [7, 2]
    assert calls == [(1, ThrottledError, 7), (2, ThrottledError, 2)]


def test_429_without_retry_after_backs_off_exponentially(client, session, clock):
    session.add(
        *[odata_error(429, "0x80072322", "busy") for _ in range(3)], make_response(200, {"UserId": "u"})
    )
    client.who_am_i()
    assert clock.sleeps == [1, 2, 4]


def test_429_gives_up_after_max_attempts(client, session, clock):
    session.add(*[odata_error(429, "0x80072322", "busy", {"Retry-After": "1"}) for _ in range(5)])
    with pytest.raises(ThrottledError) as info:
        client.who_am_i()
    assert len(session.requests) == 5
    assert clock.sleeps == [1, 1, 1, 1]
    assert info.value.retry_after == 1


def test_429_gives_up_when_wait_exceeds_time_budget(session, tokens, clock):
    client = DataverseClient(
        ORG, tokens, session=session, clock=clock, sleep=clock.sleep, retry=RetryPolicy(max_total_seconds=60)
    )
    session.add(
        odata_error(429, "0x80072321", "busy", {"Retry-After": "50"}),
        odata_error(429, "0x80072321", "busy", {"Retry-After": "30"}),
    )
    with pytest.raises(ThrottledError) as info:
        client.who_am_i()
    assert clock.sleeps == [50]
    assert info.value.retry_after == 30
    assert "retry after 30 s" in str(info.value)


def test_503_retried_for_patch(client, session, clock):
    session.add(
        odata_error(503, "", "Service Unavailable"), odata_error(502, "", "Bad gateway"), make_response(204)
    )
    client.upsert("queues", GUID, {"name": "x"})
    assert len(session.requests) == 3
    assert clock.sleeps == [1, 2]


def test_503_not_retried_for_create(client, session, clock):
    session.add(odata_error(503, "", "Service Unavailable"))
    with pytest.raises(ServiceUnavailableError):
        client.create("queues", {"name": "x"})
    assert len(session.requests) == 1 and clock.sleeps == []


def test_500_is_not_retried(client, session):
    session.add(odata_error(500, "0x80040216", "boom"))
    with pytest.raises(ServiceUnavailableError):
        client.retrieve("queues", GUID)
    assert len(session.requests) == 1


def test_other_errors_fail_fast(client, session, clock):
    session.add(odata_error(400, "0x0", "Could not find a property named 'Name'"))
    with pytest.raises(ValidationError):
        client.upsert("queues", GUID, {"Name": "x"})
    assert clock.sleeps == []


def test_read_timeout_retried_for_get_but_not_for_create(client, session, clock):
    session.add(requests.exceptions.ReadTimeout("read timed out"), make_response(200, {"UserId": "u"}))
    assert client.who_am_i() == {"UserId": "u"}
    session.add(requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as info:
        client.create("queues", {"name": "x"})
    assert info.value.timed_out and info.value.may_have_committed
    assert info.value.request_method == "POST"
    assert len(session.requests) == 3


def test_connection_refused_is_retried_even_for_create(client, session):
    refused = requests.exceptions.ConnectionError(
        MaxRetryError(None, "/api/data/v9.2/queues", NewConnectionError(None, "Connection refused"))
    )
    session.add(refused, make_response(204, headers={"OData-EntityId": f"{ROOT}queues({GUID})"}))
    assert client.create("queues", {"name": "x"}) == GUID


def test_tls_failure_keeps_ssl_reason_and_is_not_retried(client, session):
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    cause.verify_message = "unable to get local issuer certificate"
    session.add(requests.exceptions.SSLError(MaxRetryError(None, "/", cause)))
    with pytest.raises(TransportError) as info:
        client.who_am_i()
    assert "certificate verify failed: unable to get local issuer certificate" in str(info.value)
    assert len(session.requests) == 1


def test_timeouts_and_total_budget_measured_with_injected_clock(session, tokens, clock):
    client = DataverseClient(
        ORG,
        tokens,
        session=session,
        clock=clock,
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=10, max_total_seconds=5, backoff_base=2),
    )
    session.add(*[odata_error(503, "", "down") for _ in range(10)])
    with pytest.raises(ServiceUnavailableError):
        client.retrieve("queues", GUID)
    assert clock.sleeps == [2]  # the next wait (4 s) would exceed the 5 s budget


def test_retry_policy_backoff_is_capped():
    policy = RetryPolicy(backoff_base=1, backoff_max=30)
    assert [policy.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.max_retries == 4
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
