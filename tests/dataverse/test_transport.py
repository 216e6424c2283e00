"""A connection that was never made is explained in words an administrator can act on."""

from __future__ import annotations

import socket

import pytest
import requests

from dataverse.transport import transport_error


def _fail(url: str) -> requests.RequestException:
    try:
        requests.get(url, timeout=5)
    except requests.RequestException as exc:
        return exc
    raise AssertionError("the request was expected to fail")


def test_an_unknown_host_name_is_a_dns_failure_naming_the_host():
    error = transport_error(
        _fail("https://no-such-org.invalid/api/data/v9.2/"),
        "GET",
        "https://no-such-org.invalid/api/data/v9.2/",
    )
    assert error.before_send
    assert str(error.message) == (
        "The host name no-such-org.invalid could not be found (DNS): check the address for typing mistakes."
    )
    assert "HTTPSConnectionPool" not in error.message


def test_a_refused_connection_names_the_host_and_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request: nothing listens there
    url = f"https://127.0.0.1:{port}/api/data/v9.2/"
    error = transport_error(_fail(url), "POST", url)
    assert error.before_send and not error.may_have_committed
    assert error.message == f"127.0.0.1 port {port} refused the connection: nothing is listening there."


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_other_failures_keep_their_kind(method):
    error = transport_error(requests.exceptions.ReadTimeout("read timed out"), method, "https://x.example/")
    assert error.timed_out and error.may_have_committed == (method == "PATCH")
