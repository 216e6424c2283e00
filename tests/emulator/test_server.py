"""The HTTPS server around the app: chunked request bodies, keep-alive, a quiet dropped connection."""

from __future__ import annotations

import http.client
import ssl

import pytest
import requests
from conftest import API


def test_chunked_request_body_is_read(api):
    def chunks():
        yield b'{"msdyn_name": '
        yield b'"chunked"}'

    answer = api.post(
        api.url("msdyn_operatinghours"),
        data=chunks(),
        headers={"Content-Type": "application/json", "Prefer": "return=representation"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["msdyn_name"] == "chunked"


def test_keep_alive_answers_two_requests_on_one_connection(emu, token):
    context = ssl.create_default_context(cafile=emu.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=context, timeout=10)
    headers = {"Authorization": f"Bearer {token}"}
    conn.request("GET", API + "WhoAmI", headers=headers)
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", API + "WhoAmI", headers=headers)
    second = conn.getresponse()
    second.read()
    assert (first.status, second.status) == (200, 200) and conn.sock is sock
    assert first.getheader("Server", "").startswith("DataverseEmulator/")
    conn.close()


def test_dropped_connection_then_the_next_request_works(emu, api, token, capfd):
    base = f"{emu.base_url}/_emulator/faults"
    auth = {"Authorization": f"Bearer {token}"}
    requests.post(base, json={"path": "WhoAmI$", "drop": True}, headers=auth, verify=emu.ca_file)
    with pytest.raises(requests.ConnectionError):
        api.get(api.url("WhoAmI"))
    assert api.get(api.url("WhoAmI")).ok
    assert "Traceback" not in capfd.readouterr().err
