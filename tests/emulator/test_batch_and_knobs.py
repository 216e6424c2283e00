"""`$batch` atomicity and error framing, fault knobs and the request log."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from conftest import API, token_form, token_url


def knob(emu, token, method, path, **kwargs):
    return requests.request(
        method,
        f"{emu.base_url}/_emulator/{path}",
        verify=emu.ca_file,
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


def changeset_batch(emu, names: list[str], bad_last: bool = False, extra: str = "") -> str:
    parts = []
    for n, name in enumerate(names, start=1):
        parts.append(
            "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            f"Content-ID: {n}\r\n\r\nPOST {API}msdyn_operatinghours HTTP/1.1\r\n"
            f'Content-Type: application/json\r\n\r\n{{"msdyn_name": "{name}"}}\r\n'
        )
    if bad_last:
        parts.append(
            "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            f"Content-ID: 99\r\n\r\nPOST {API}msdyn_operatinghours HTTP/1.1\r\n"
            'Content-Type: application/json\r\n\r\n{"msdyn_nope": 1}\r\n'
        )
    return (
        "--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n"
        + "".join(parts)
        + "--cs--\r\n"
        + extra
        + "--b--\r\n"
    )


def post_batch(api, body: str, prefer: str | None = None):
    headers = {"Content-Type": "multipart/mixed;boundary=b"}
    if prefer:
        headers["Prefer"] = prefer
    return api.post(api.url("$batch"), data=body.encode(), headers=headers)


def count(api, name: str) -> int:
    return len(api.get(api.url(f"msdyn_operatinghours?$filter=msdyn_name eq '{name}'")).json()["value"])


def test_changeset_rolls_back_on_failure(emu, api):
    name = f"atomic-{uuid.uuid4()}"
    answer = post_batch(api, changeset_batch(emu, [name, name], bad_last=True))
    assert answer.status_code == 400
    assert "Content-ID: 99" in answer.text and "HTTP/1.1 400 Bad Request" in answer.text
    assert "Invalid property 'msdyn_nope'" in answer.text
    assert count(api, name) == 0


def test_get_inside_changeset_and_unknown_content_id(emu, api):
    body = (
        "--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n--cs\r\nContent-Type: application/http\r\n"
        f"Content-Transfer-Encoding: binary\r\n\r\nGET {API}queues HTTP/1.1\r\n\r\n--cs--\r\n--b--\r\n"
    )
    assert post_batch(api, body).status_code == 400
    ref = (
        "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        "DELETE $7 HTTP/1.1\r\n\r\n--b--\r\n"
    )
    answer = post_batch(api, ref)
    assert answer.status_code == 400 and "Content-ID Reference: '$7' does not exist" in answer.text


def test_content_id_as_path_and_ref(emu, api):
    user = api.get(
        api.url("systemusers?$select=systemuserid&$filter=internalemailaddress eq 'agent@contoso.example'")
    ).json()["value"][0]["systemuserid"]
    body = (
        '--b\r\nContent-Type: multipart/mixed; boundary="cs"\r\n\r\n'
        "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\n"
        f'POST {API}queues HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{{"name": "cid queue"}}\r\n'
        "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\n"
        "POST $1/queuemembership_association/$ref HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        f'{{"@odata.id": "systemusers({user})"}}\r\n'
        "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 3\r\n\r\n"
        'PATCH $1 HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"msdyn_priority": 5}\r\n'
        "--cs--\r\n--b--\r\n"
    )
    answer = post_batch(api, body)
    assert answer.status_code == 200, answer.text
    queue = api.get(
        api.url(
            "queues?$filter=name eq 'cid queue'&$select=msdyn_priority"
            "&$expand=queuemembership_association($select=fullname)"
        )
    ).json()["value"][0]
    assert queue["msdyn_priority"] == 5
    assert [m["fullname"] for m in queue["queuemembership_association"]] == ["Alex Agent"]


def test_continue_on_error(emu, api):
    name = f"coe-{uuid.uuid4()}"
    single = (
        "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"POST {API}msdyn_operatinghours HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        f'{{"msdyn_name": "{name}"}}\r\n'
    )
    bad = (
        "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"GET {API}Nope HTTP/1.1\r\n\r\n"
    )
    body = bad + single + "--b--\r\n"
    answer = post_batch(api, body, prefer="odata.continue-on-error")
    assert (
        answer.status_code == 200
        and "HTTP/1.1 404 Not Found" in answer.text
        and "HTTP/1.1 204" in answer.text
    )
    assert count(api, name) == 1
    stopped = post_batch(api, body)
    assert stopped.status_code == 400 and "HTTP/1.1 204" not in stopped.text
    assert count(api, name) == 1


def test_too_many_operations(emu, api):
    ops = "".join(
        "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"GET {API}WhoAmI HTTP/1.1\r\n\r\n"
        for _ in range(1001)
    )
    assert post_batch(api, ops + "--b--\r\n").status_code == 400


def test_fault_inside_changeset_rolls_back(emu, api, token):
    knob(
        emu,
        token,
        "POST",
        "faults",
        json={"path": "msdyn_operatinghours", "status": 429, "retry_after": 1, "skip": 1},
    )
    name = f"fault-{uuid.uuid4()}"
    answer = post_batch(api, changeset_batch(emu, [name, name]))
    assert answer.status_code == 400 and "HTTP/1.1 429 Too Many Requests" in answer.text
    assert "0x80072322" in answer.text and "Retry-After: 1" in answer.text and "Content-ID: 2" in answer.text
    assert count(api, name) == 0
    log = knob(emu, token, "GET", "requests", params={"after": 0}).json()["value"]
    batch_entry = [e for e in log if e["path"].endswith("$batch")][-1]
    assert [op["method"] for op in batch_entry["operations"]] == ["POST", "POST"]


def test_fault_status_retry_after_and_times(emu, api, token):
    created = knob(
        emu,
        token,
        "POST",
        "faults",
        json={"method": "GET", "path": "/queues$", "status": 429, "retry_after": 2, "times": 2},
    )
    assert created.status_code == 201 and created.json()["id"]
    listed = knob(emu, token, "GET", "faults").json()["value"]
    assert listed[0]["remaining"] == 2
    for _ in range(2):
        throttled = api.get(api.url("queues"))
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
        assert throttled.json()["error"]["code"] == "0x80072322"
    assert api.get(api.url("queues")).status_code == 200
    knob(emu, token, "POST", "faults", json={"path": "WhoAmI", "status": 500})
    assert api.get(api.url("WhoAmI")).status_code == 500
    assert api.get(api.url("WhoAmI")).status_code == 200
    assert knob(emu, token, "DELETE", "faults").status_code == 204
    assert knob(emu, token, "GET", "faults").json()["value"] == []


def test_fault_skip_delay_and_drop(emu, api, token):
    knob(emu, token, "POST", "faults", json={"path": "WhoAmI", "status": 503, "skip": 2})
    assert [api.get(api.url("WhoAmI")).status_code for _ in range(4)] == [200, 200, 503, 200]
    knob(emu, token, "POST", "faults", json={"path": "WhoAmI", "delay_ms": 300})
    started = time.perf_counter()
    assert api.get(api.url("WhoAmI")).status_code == 200
    assert time.perf_counter() - started >= 0.3
    knob(emu, token, "POST", "faults", json={"path": "WhoAmI", "drop": True})
    with pytest.raises(requests.ConnectionError):
        api.get(api.url("WhoAmI"))
    assert api.get(api.url("WhoAmI")).status_code == 200


def test_after_commit_fault(emu, api, token):
    name = f"late-{uuid.uuid4()}"
    knob(
        emu,
        token,
        "POST",
        "faults",
        json={"method": "POST", "path": "msdyn_operatinghours$", "status": 500, "after_commit": True},
    )
    answer = api.post(api.url("msdyn_operatinghours"), json={"msdyn_name": name})
    assert answer.status_code == 500 and count(api, name) == 1
    knob(
        emu,
        token,
        "POST",
        "faults",
        json={"path": "msdyn_operatinghours", "drop": True, "after_commit": True},
    )
    with pytest.raises(requests.ConnectionError):
        post_batch(api, changeset_batch(emu, [name]))
    assert count(api, name) == 2


def test_request_log(emu, api, token, raw):
    last = knob(emu, token, "GET", "requests").json()["value"][-1]["seq"]
    api.get(api.url("queues?$top=1"))
    conn = emu.connection
    raw.post(token_url(emu), data=token_form(emu))
    entries = knob(emu, token, "GET", "requests", params={"after": last}).json()["value"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", f"{API}queues", 200),
        ("POST", f"/{conn['tenant_id']}/oauth2/v2.0/token", 200),
    ]
    assert all(e["seq"] > last and e["ms"] >= 0 for e in entries)
    assert conn["client_secret"] not in str(entries)


def test_knobs_need_token_and_loopback(emu):
    assert requests.get(f"{emu.base_url}/_emulator/faults", verify=emu.ca_file).status_code == 401
    answer = emu.app.knobs("GET", "/_emulator/faults", "", b"", {}, "10.1.2.3")
    assert answer.status == 403
