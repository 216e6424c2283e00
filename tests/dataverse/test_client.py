from __future__ import annotations

import pytest

from dataverse import DataverseClient, QueryPage

from .conftest import GUID, GUID2, ORG, ROOT, make_response


def test_every_request_carries_odata_headers_token_and_timeout(client, session):
    session.add(make_response(200, {"BusinessUnitId": "b", "UserId": "u", "OrganizationId": "o"}))
    assert client.who_am_i()["UserId"] == "u"
    sent = session.requests[0]
    assert (sent.method, sent.url) == ("GET", ROOT + "WhoAmI")
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["OData-MaxVersion"] == "4.0"
    assert sent.headers["OData-Version"] == "4.0"
    assert sent.headers["Authorization"] == "Bearer token-0"
    assert "Content-Type" not in sent.headers
    assert sent.timeout == (5, 30)


def test_json_writes_send_content_type(client, session):
    session.add(make_response(204, headers={"OData-EntityId": f"{ROOT}queues({GUID})"}))
    client.create("queues", {"name": "Chat"})
    sent = session.requests[0]
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.json == {"name": "Chat"}
    assert "Prefer" not in sent.headers


def test_create_returns_id_from_odata_entity_id(client, session):
    session.add(make_response(204, headers={"OData-EntityId": f"{ROOT}queues({GUID})"}))
    assert client.create("queues", {"name": "Chat"}) == GUID
    assert session.requests[0].url == ROOT + "queues"


def test_create_with_return_representation(client, session):
    row = {"@odata.etag": 'W/"1"', "queueid": GUID, "name": "Chat"}
    session.add(make_response(201, row, {"Preference-Applied": "return=representation"}))
    assert (
        client.create("queues", {"name": "Chat"}, return_representation=True, select=["queueid", "name"])
        == row
    )
    sent = session.requests[0]
    assert sent.url == ROOT + "queues?$select=queueid,name"
    assert sent.headers["Prefer"] == "return=representation"


def test_retrieve_with_select_and_expand(client, session):
    session.add(make_response(200, {"queueid": GUID}))
    client.retrieve("queues", GUID, select="name", expand="ownerid($select=fullname)")
    assert session.requests[0].url == ROOT + f"queues({GUID})?$select=name&$expand=ownerid($select=fullname)"


def test_update_is_pure_update_with_if_match_star(client, session):
    session.add(make_response(204))
    client.update("queues", GUID, {"name": "x"})
    sent = session.requests[0]
    assert (sent.method, sent.url, sent.headers["If-Match"]) == ("PATCH", ROOT + f"queues({GUID})", "*")


def test_upsert_has_no_condition_and_reports_created(client, session):
    session.add(
        make_response(201, {"queueid": GUID}), make_response(200, {"queueid": GUID}), make_response(204)
    )
    assert client.upsert("queues", GUID, {"name": "x"}, return_representation=True) is True
    assert client.upsert("queues", GUID, {"name": "x"}, return_representation=True) is False
    assert client.upsert("queues", GUID, {"name": "x"}) is None
    for sent in session.requests:
        assert sent.method == "PATCH"
        assert "If-Match" not in sent.headers and "If-None-Match" not in sent.headers
    assert session.requests[0].headers["Prefer"] == "return=representation"


def test_delete_with_etag(client, session):
    session.add(make_response(204))
    client.delete("queues", GUID, if_match='W/"7"')
    sent = session.requests[0]
    assert (sent.method, sent.url, sent.headers["If-Match"]) == ("DELETE", ROOT + f"queues({GUID})", 'W/"7"')


def test_query_follows_next_link_unchanged(client, session):
    next_link = ROOT + "queues?$select=name&$skiptoken=%3Ccookie%20pagenumber=%222%22/%3E"
    session.add(
        make_response(200, {"value": [{"name": "a"}, {"name": "b"}], "@odata.nextLink": next_link}),
        make_response(200, {"value": [{"name": "c"}]}),
    )
    rows = list(client.query("queues", select=["name"], filter="statecode eq 0", orderby="name", page_size=2))
    assert [r["name"] for r in rows] == ["a", "b", "c"]
    first, second = session.requests
    assert first.url == ROOT + "queues?$select=name&$filter=statecode%20eq%200&$orderby=name"
    assert first.headers["Prefer"] == "odata.maxpagesize=2"
    assert second.url == next_link
    assert second.headers["Prefer"] == "odata.maxpagesize=2"


def test_query_page_and_follow_for_ui_paging(client, session):
    next_link = ROOT + "queues?$skiptoken=abc"
    session.add(
        make_response(200, {"value": [{"name": "a"}], "@odata.nextLink": next_link, "@odata.count": 2}),
        make_response(200, {"value": [{"name": "b"}]}),
    )
    page = client.query_page("queues", page_size=1, count=True, top=5)
    assert isinstance(page, QueryPage)
    assert (page.rows, page.next_link, page.count) == ([{"name": "a"}], next_link, 2)
    assert session.requests[0].url == ROOT + "queues?$top=5&$count=true"
    rows, link = client.follow(page.next_link, page_size=1)
    assert rows == [{"name": "b"}] and link is None


def test_follow_refuses_links_to_other_hosts(client, session):
    with pytest.raises(ValueError):
        client.follow("https://evil.example.com/api/data/v9.2/queues?$skiptoken=x")
    assert session.requests == []


def test_associate_posts_ref_with_absolute_odata_id(client, session):
    session.add(make_response(204))
    client.associate("systemusers", GUID, "systemuserroles_association", "roles", GUID2)
    sent = session.requests[0]
    assert sent.method == "POST"
    assert sent.url == ROOT + f"systemusers({GUID})/systemuserroles_association/$ref"
    assert sent.json == {"@odata.id": f"{ORG}/api/data/v9.2/roles({GUID2})"}


def test_disassociate_deletes_ref(client, session):
    session.add(make_response(204), make_response(204))
    client.disassociate("systemusers", GUID, "systemuserroles_association", GUID2)
    client.disassociate("msdyn_livechatconfigs", GUID, "msdyn_liveworkstreamid")
    assert session.requests[0].method == "DELETE"
    assert session.requests[0].url == ROOT + f"systemusers({GUID})/systemuserroles_association({GUID2})/$ref"
    assert session.requests[1].url == ROOT + f"msdyn_livechatconfigs({GUID})/msdyn_liveworkstreamid/$ref"


def test_related_returns_all_rows(client, session):
    session.add(
        make_response(200, {"value": [{"roleid": "1"}], "@odata.nextLink": ROOT + "x?$skiptoken=1"}),
        make_response(200, {"value": [{"roleid": "2"}]}),
    )
    rows = client.related(
        "systemusers", GUID, "systemuserroles_association", select="name", filter="name ne null"
    )
    assert rows == [{"roleid": "1"}, {"roleid": "2"}]
    assert session.requests[0].url == (
        ROOT + f"systemusers({GUID})/systemuserroles_association?$select=name&$filter=name%20ne%20null"
    )


def test_entity_definition(client, session):
    session.add(make_response(200, {"LogicalName": "queue", "EntitySetName": "queues"}))
    assert client.entity_definition("queue", select="EntitySetName")["EntitySetName"] == "queues"
    assert session.requests[0].url == ROOT + "EntityDefinitions(LogicalName='queue')?$select=EntitySetName"


def test_names_and_ids_cannot_inject_paths(client):
    with pytest.raises(ValueError):
        client.retrieve("queues/../accounts", GUID)
    with pytest.raises(ValueError):
        client.retrieve("queues", "x)/../accounts(y")


def test_alternate_key_addressing(client, session):
    session.add(make_response(204))
    client.upsert("msdyn_oclanguages", "msdyn_localeid=1033", {"msdyn_name": "English"})
    assert session.requests[0].url == ROOT + "msdyn_oclanguages(msdyn_localeid=1033)"


def test_org_url_is_normalised(session, tokens):
    client = DataverseClient(ORG + "/", tokens, session=session)
    assert client.service_root == ROOT
    with pytest.raises(ValueError):
        DataverseClient("contoso.crm.dynamics.com", tokens, session=session)
