from __future__ import annotations

import itertools

import pytest
import requests

from dataverse import (
    Batch,
    BatchResponse,
    NotFoundError,
    ServiceUnavailableError,
    TransportError,
    ValidationError,
)

from .conftest import GUID, GUID2, ORG, ROOT, make_response

CRLF = "\r\n"


def ids():
    counter = itertools.count(1)
    return lambda: f"id{next(counter)}"


def publish_batch() -> Batch:
    b = Batch(id_factory=ids())
    cs = b.changeset(label="Publish channel 'Contoso'")
    cs.upsert("queues", GUID, {"name": "Contoso chat"}, label="Queue 'Contoso chat'")
    cs.upsert(
        "msdyn_livechatconfigs",
        GUID2,
        {"msdyn_name": "Contoso", "msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({GUID})"},
        label="Chat widget 'Contoso'",
    )
    b.get(f"msdyn_livechatconfigs({GUID2})?$select=msdyn_widgetappid", label="Read back widget")
    return b


def test_serialization_uses_crlf_boundaries_and_content_ids():
    body = publish_batch().serialize("/api/data/v9.2/", ROOT).decode()
    expected = CRLF.join(
        [
            "--batch_id1",
            "Content-Type: multipart/mixed; boundary=changeset_id2",
            "",
            "--changeset_id2",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "Content-ID: 1",
            "",
            f"PATCH /api/data/v9.2/queues({GUID}) HTTP/1.1",
            "Content-Type: application/json; type=entry",
            "",
            '{"name": "Contoso chat"}',
            "--changeset_id2",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "Content-ID: 2",
            "",
            f"PATCH /api/data/v9.2/msdyn_livechatconfigs({GUID2}) HTTP/1.1",
            "Content-Type: application/json; type=entry",
            "",
            '{"msdyn_name": "Contoso", "msdyn_liveworkstreamid@odata.bind": '
            f'"/msdyn_liveworkstreams({GUID})"}}',
            "--changeset_id2--",
            "--batch_id1",
            "Content-Type: application/http",
            "Content-Transfer-Encoding: binary",
            "",
            f"GET /api/data/v9.2/msdyn_livechatconfigs({GUID2})?$select=msdyn_widgetappid HTTP/1.1",
            "Accept: application/json",
            "",
            "",
            "--batch_id1--",
            "",
        ]
    )
    assert body == expected
    assert "\n" not in body.replace(CRLF, "")


def test_content_id_references_in_paths_and_binds():
    b = Batch(id_factory=ids())
    cs = b.changeset()
    queue = cs.create("queues", {"name": "q"})
    ws = cs.create("msdyn_liveworkstreams", {"msdyn_name": "w", "msdyn_defaultqueue@odata.bind": queue})
    cs.update(ws, None, {"msdyn_name": "w2"})
    cs.associate("systemusers", GUID, "queuemembership_association", queue, None)
    cs.associate("systemusers", GUID, "systemuserroles_association", "roles", GUID2)
    assert (queue, ws) == ("$1", "$2")
    body = b.serialize("/api/data/v9.2/", ROOT).decode()
    assert '"msdyn_defaultqueue@odata.bind": "$1"' in body
    assert f"PATCH $2 HTTP/1.1{CRLF}If-Match: *{CRLF}" in body
    assert '{"@odata.id": "$1"}' in body
    assert f'{{"@odata.id": "{ORG}/api/data/v9.2/roles({GUID2})"}}' in body
    assert not b.is_idempotent
    with pytest.raises(ValueError):
        cs.upsert("queues", GUID, {"x@odata.bind": "$9"})


def test_content_ids_unique_across_changesets_and_refs_scoped():
    b = Batch()
    first = b.changeset().upsert("queues", GUID, {})
    second_cs = b.changeset()
    assert second_cs.upsert("queues", GUID2, {}) == "$2"
    with pytest.raises(ValueError):
        second_cs.update(first, None, {})


def test_idempotent_only_when_all_writes_are_keyed():
    assert publish_batch().is_idempotent
    b = Batch()
    b.changeset().delete("queues", GUID)
    assert b.is_idempotent


def test_more_than_1000_operations_rejected_before_sending():
    b = Batch()
    cs = b.changeset()
    for _ in range(1000):
        cs.upsert("queues", GUID, {})
    with pytest.raises(ValueError):
        cs.upsert("queues", GUID, {})
    with pytest.raises(ValueError):
        Batch().serialize()


SUCCESS = CRLF.join(
    [
        "--batchresponse_aaa",
        "Content-Type: multipart/mixed; boundary=changesetresponse_bbb",
        "",
        "--changesetresponse_bbb",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 1",
        "",
        "HTTP/1.1 204 No Content",
        "OData-Version: 4.0",
        f"Location: {ROOT}queues({GUID})",
        f"OData-EntityId: {ROOT}queues({GUID})",
        "",
        "",
        "--changesetresponse_bbb",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 2",
        "",
        "HTTP/1.1 204 No Content",
        "OData-Version: 4.0",
        f"OData-EntityId: {ROOT}msdyn_livechatconfigs({GUID2})",
        "",
        "",
        "--changesetresponse_bbb--",
        "--batchresponse_aaa",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "HTTP/1.1 200 OK",
        "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true",
        "OData-Version: 4.0",
        "",
        '{"@odata.context": "x", "msdyn_widgetappid": "app-1"}',
        "--batchresponse_aaa--",
        "",
    ]
)

FAILED_CHANGESET = CRLF.join(
    [
        "--batchresponse_ccc",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        "HTTP/1.1 400 Bad Request",
        "REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026",
        "Content-Type: application/json; odata.metadata=minimal",
        "OData-Version: 4.0",
        "",
        '{"error":{"code":"0x80044331","message":"A validation error occurred.  '
        "The length of the 'msdyn_name' "
        "attribute of the 'msdyn_livechatconfig' entity exceeded the maximum allowed length of '100'.\"}}",
        "--batchresponse_ccc--",
        "",
    ]
)


def batch_response(status: int, text: str, boundary: str) -> requests.Response:
    return make_response(status, text=text, headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})


def test_parse_success_response():
    b = publish_batch()
    resp = BatchResponse(200, {"Content-Type": "multipart/mixed; boundary=batchresponse_aaa"}, SUCCESS, b)
    assert resp.ok and resp.error is None
    assert [p.status for p in resp.responses] == [204, 204, 200]
    assert [p.content_id for p in resp.responses] == ["1", "2", None]
    assert resp.responses[0].entity_id == GUID
    assert resp.responses[1].entity_id == GUID2
    assert resp.responses[2].json["msdyn_widgetappid"] == "app-1"
    assert resp.responses[1].label == "Chat widget 'Contoso'"
    assert resp.responses[2].label == "Read back widget"
    assert resp.responses[0].changeset_index == 0 and resp.responses[2].changeset_index is None


def test_execute_batch_sends_multipart(client, session):
    session.add(batch_response(200, SUCCESS, "batchresponse_aaa"))
    b = publish_batch()
    resp = client.execute_batch(b)
    sent = session.requests[0]
    assert (sent.method, sent.url) == ("POST", ROOT + "$batch")
    assert sent.headers["Content-Type"] == f"multipart/mixed; boundary={b.boundary}"
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert sent.body.startswith(f"--{b.boundary}\r\n".encode())
    assert "Prefer" not in sent.headers
    assert resp.responses[2].json["msdyn_widgetappid"] == "app-1"


def test_failed_changeset_raises_error_naming_the_operation(client, session):
    b = Batch()
    cs = b.changeset()
    cs.upsert("msdyn_livechatconfigs", GUID2, {"msdyn_name": "x" * 200}, label="Chat widget 'Contoso'")
    session.add(batch_response(400, FAILED_CHANGESET, "batchresponse_ccc"))
    with pytest.raises(ValidationError) as info:
        client.execute_batch(b)
    err = info.value
    assert err.operation_label == "Chat widget 'Contoso'"
    assert err.content_id == "1"
    assert err.code == "0x80044331"
    assert err.message.startswith("A validation error occurred.")
    assert "Chat widget 'Contoso'" in str(err) and "exceeded the maximum allowed length" in str(err)
    assert err.batch_response is not None and not err.batch_response.ok


def test_failed_part_with_echoed_content_id_in_multi_operation_changeset(client, session):
    text = FAILED_CHANGESET.replace(
        "Content-Transfer-Encoding: binary\r\n", "Content-Transfer-Encoding: binary\r\nContent-ID: 2\r\n"
    )
    session.add(batch_response(400, text, "batchresponse_ccc"))
    with pytest.raises(ValidationError) as info:
        client.execute_batch(publish_batch())
    assert info.value.operation_label == "Chat widget 'Contoso'"
    assert info.value.content_id == "2"


def test_failed_multi_operation_changeset_without_content_id_names_the_changeset(client, session):
    text = FAILED_CHANGESET.replace("0x80044331", "0x80040217").replace(
        "HTTP/1.1 400 Bad Request", "HTTP/1.1 404 Not Found"
    )
    session.add(batch_response(400, text, "batchresponse_ccc"))
    with pytest.raises(NotFoundError) as info:
        client.execute_batch(publish_batch())
    assert info.value.operation_label == "Publish channel 'Contoso'"


def test_continue_on_error_returns_failures(client, session):
    text = SUCCESS.replace("HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found").replace(
        '{"@odata.context": "x", "msdyn_widgetappid": "app-1"}',
        '{"error":{"code":"0x80040217","message":"Entity \'msdyn_livechatconfig\' Does Not Exist"}}',
    )
    session.add(batch_response(200, text, "batchresponse_aaa"))
    resp = client.execute_batch(publish_batch(), continue_on_error=True)
    assert session.requests[0].headers["Prefer"] == "odata.continue-on-error"
    assert not resp.ok
    [err] = resp.errors
    assert isinstance(err, NotFoundError) and err.operation_label == "Read back widget"
    with pytest.raises(NotFoundError):
        resp.raise_for_status()


def test_idempotent_batch_retried_after_timeout(client, session, clock):
    session.add(
        requests.exceptions.ReadTimeout("timed out"), batch_response(200, SUCCESS, "batchresponse_aaa")
    )
    assert client.execute_batch(publish_batch()).ok
    assert len(session.requests) == 2 and clock.sleeps == [1]
    assert session.requests[0].body == session.requests[1].body


def test_batch_with_create_not_retried_after_timeout_or_503(client, session):
    b = Batch()
    b.changeset().create("queues", {"name": "q"})
    session.add(requests.exceptions.ReadTimeout("timed out"))
    with pytest.raises(TransportError) as info:
        client.execute_batch(b)
    assert info.value.may_have_committed
    session.add(make_response(503, {"error": {"code": "", "message": "down"}}))
    with pytest.raises(ServiceUnavailableError):
        client.execute_batch(b)
    assert len(session.requests) == 2


def test_outer_429_retries_any_batch(client, session, clock):
    b = Batch()
    b.changeset().create("queues", {"name": "q"})
    session.add(
        make_response(429, {"error": {"code": "0x80072322", "message": "busy"}}, {"Retry-After": "4"}),
        batch_response(200, SUCCESS, "batchresponse_aaa"),
    )
    client.execute_batch(b)
    assert clock.sleeps == [4]


def test_inner_503_in_idempotent_batch_is_retried(client, session, clock):
    text = FAILED_CHANGESET.replace("HTTP/1.1 400 Bad Request", "HTTP/1.1 503 Service Unavailable")
    session.add(
        batch_response(400, text, "batchresponse_ccc"), batch_response(200, SUCCESS, "batchresponse_aaa")
    )
    assert client.execute_batch(publish_batch()).ok
    assert clock.sleeps == [1]


def test_lf_only_response_is_tolerated():
    resp = BatchResponse(
        200,
        {"Content-Type": 'multipart/mixed; boundary="batchresponse_aaa"'},
        SUCCESS.replace(CRLF, "\n"),
        publish_batch(),
    )
    assert [p.status for p in resp.responses] == [204, 204, 200]
