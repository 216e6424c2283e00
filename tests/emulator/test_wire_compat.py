"""Raw-HTTP checks of the behaviours third-party Dataverse clients depend on (one test per requirement)."""

from __future__ import annotations

import http.client
import json
import ssl
import uuid

from conftest import API, seeded_id


def test_entity_definitions_lookups(api):
    answer = api.get(
        api.url(
            "EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
            "&$filter=LogicalName eq 'queue'"
        )
    )
    row = answer.json()["value"][0]
    assert row["EntitySetName"] == "queues" and row["PrimaryIdAttribute"] == "queueid" and row["MetadataId"]
    single = api.get(api.url("EntityDefinitions(LogicalName='msdyn_authenticationsettings')")).json()
    assert single["EntitySetName"] == "msdyn_authenticationsettingses"
    assert single["PrimaryNameAttribute"] == "msdyn_name"
    picklists = api.get(
        api.url(
            "EntityDefinitions(LogicalName='queue')/Attributes/"
            "Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName"
            "&$expand=OptionSet($select=Options)"
        )
    )
    assert picklists.status_code == 200
    queuetype = next(a for a in picklists.json()["value"] if a["LogicalName"] == "msdyn_queuetype")
    assert {"Value": 192350000, "Label": "Messaging"} in [
        {"Value": o["Value"], "Label": o["Label"]["LocalizedLabels"][0]["Label"]}
        for o in queuetype["OptionSet"]["Options"]
    ]
    everything = api.get(api.url("EntityDefinitions?$select=EntitySetName,LogicalName")).json()["value"]
    assert {"queues", "msdyn_livechatconfigs", "systemusers", "roles"} <= {
        e["EntitySetName"] for e in everything
    }
    with_attrs = api.get(
        api.url(
            "EntityDefinitions(LogicalName='msdyn_livechatconfig')"
            "?$select=LogicalName&$expand=Attributes($select=LogicalName,AttributeType)"
        )
    ).json()
    types = {a["LogicalName"]: a["AttributeType"] for a in with_attrs["Attributes"]}
    assert types["msdyn_widgetsnippet"] == "Memo" and types["msdyn_liveworkstreamid"] == "Lookup"


def test_query_strings_encoded_either_way(api):
    form_style = api.get(
        api.url("queues?%24select=name%2Cqueueid&%24filter=name+eq+%27Default+messaging+queue%27")
    )
    percent = api.get(
        api.url("queues?$select=name,queueid&$filter=name%20eq%20%27Default%20messaging%20queue%27")
    )
    assert form_style.status_code == percent.status_code == 200
    assert form_style.json()["value"] == percent.json()["value"]
    assert len(percent.json()["value"]) == 1 and set(percent.json()["value"][0]) == {
        "@odata.etag",
        "name",
        "queueid",
    }


def test_content_types_and_reference_forms(api):
    assert api.get(api.url("queues?$top=1"), headers={"Content-Type": "application/json"}).status_code == 200
    user = seeded_id(api, "systemusers", "systemuserid", "internalemailaddress eq 'agent@contoso.example'")
    queue_id = str(uuid.uuid4())
    created = api.post(
        api.url("queues"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        data=json.dumps({"queueid": queue_id, "name": "Ref forms", "msdyn_isomnichannelqueue": True}),
    )
    assert created.status_code == 204
    ref = api.post(
        api.url(f"queues({queue_id})/queuemembership_association/$ref"),
        json={"@odata.id": f"{api.url('')}systemusers({user})"},
    )
    assert ref.status_code == 204
    hours = seeded_id(api, "msdyn_operatinghours", "msdyn_operatinghourid", "msdyn_name eq 'Business hours'")
    for value in (
        f"/msdyn_operatinghours({hours})",
        f"msdyn_operatinghours({hours})",
        f"{api.url('')}msdyn_operatinghours({hours})",
    ):
        assert (
            api.patch(
                api.url(f"queues({queue_id})"), json={"msdyn_operatinghourid@odata.bind": value}
            ).status_code
            == 204
        )
    assert (
        api.get(api.url(f"queues({queue_id})?$select=_msdyn_operatinghourid_value")).json()[
            "_msdyn_operatinghourid_value"
        ]
        == hours
    )
    deleted = api.delete(api.url(f"queues({queue_id})"), headers={"Content-Type": "application/json"})
    assert deleted.status_code == 204


def test_upsert_by_named_key_and_conditions(api):
    qid = str(uuid.uuid4())
    missing = api.patch(api.url(f"queues(queueid={qid})"), json={"name": "x"}, headers={"If-Match": "*"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "0x80040217"
    created = api.patch(
        api.url(f"queues(queueid={qid})"), json={"name": "Named key"}, headers={"If-None-Match": "*"}
    )
    assert created.status_code == 204
    again = api.patch(api.url(f"queues({qid})"), json={"name": "x"}, headers={"If-None-Match": "*"})
    assert again.status_code == 412 and again.json()["error"]["message"]
    etag = api.get(api.url(f"queues({qid})")).json()["@odata.etag"]
    assert (
        api.patch(api.url(f"queues({qid})"), json={"name": "y"}, headers={"If-Match": 'W/"1"'}).status_code
        == 412
    )
    assert (
        api.patch(api.url(f"queues({qid})"), json={"name": "y"}, headers={"If-Match": etag}).status_code
        == 204
    )
    assert api.delete(api.url(f"queues({qid})"), headers={"If-Match": etag}).status_code == 412
    assert api.delete(api.url(f"queues({qid})")).status_code == 204


def test_create_answers_and_status_lines(emu, api, token):
    plain = api.post(api.url("msdyn_operatinghours"), json={"msdyn_name": "Create 204"})
    assert plain.status_code == 204 and plain.reason == "No Content"
    assert plain.headers["OData-EntityId"].startswith(f"{emu.org_url}{API}msdyn_operatinghours(")
    assert plain.headers["Content-Length"] == "0"
    rep = api.post(
        api.url("msdyn_operatinghours?$select=msdyn_name"),
        json={"msdyn_name": "Create 201"},
        headers={"Prefer": "return=representation"},
    )
    assert rep.status_code == 201 and rep.headers["Preference-Applied"] == "return=representation"
    assert rep.headers["ETag"] == rep.json()["@odata.etag"] and "OData-EntityId" not in rep.headers
    new_id = str(uuid.uuid4())
    made = api.patch(
        api.url(f"msdyn_operatinghours({new_id})"),
        json={"msdyn_name": "u"},
        headers={"Prefer": "return=representation"},
    )
    assert made.status_code == 201
    updated = api.patch(
        api.url(f"msdyn_operatinghours({new_id})"),
        json={"msdyn_name": "v"},
        headers={"Prefer": "return=representation"},
    )
    assert updated.status_code == 200 and updated.json()["msdyn_name"] == "v"
    # keep-alive: two requests on one raw HTTP/1.1 connection, each with a status line and Content-Length
    ctx = ssl.create_default_context(cafile=emu.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=ctx)
    for _ in range(2):
        conn.request("GET", f"{API}WhoAmI", headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        assert answer.version == 11 and answer.status == 200 and answer.reason == "OK"
        assert int(answer.getheader("Content-Length")) == len(answer.read())
    conn.close()


def test_whoami(emu, api):
    for path in ("WhoAmI()", "WhoAmI"):
        body = api.get(api.url(path)).json()
        assert body["@odata.context"] == f"{emu.org_url}{API}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"
        assert body["UserId"] and body["BusinessUnitId"] and body["OrganizationId"]
    app_user = api.get(api.url(f"systemusers({body['UserId']})?$select=accessmode,applicationid")).json()
    assert app_user["accessmode"] == 4 and app_user["applicationid"] == emu.connection["client_id"]
    post = api.post(api.url("WhoAmI"), json={})
    assert post.status_code == 404 and post.json()["error"]["message"].startswith(
        "No HTTP resource was found"
    )


def test_batch_framing_as_clients_write_it(emu, api):
    boundary = "batch_abc"
    body = (
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: multipart/mixed;boundary=changeset_x\r\n\r\n"
        "--changeset_x\r\n"
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 100001\r\n\r\n"
        f"POST {emu.org_url}{API}msdyn_liveworkstreams HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        '{"msdyn_name": "Batch WS", "msdyn_streamsource": 192360000}\r\n\r\n'
        "--changeset_x\r\n"
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 100002\r\n\r\n"
        f"POST {API}msdyn_livechatconfigs HTTP/1.1\r\nContent-Type: application/json; type=entry\r\n\r\n"
        '{"msdyn_name": "Batch widget", "msdyn_liveworkstreamid@odata.bind": "$100001"}\r\n'
        "--changeset_x--\r\n"
        f"--{boundary}\r\n"
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"GET {API}msdyn_liveworkstreams?$select=msdyn_name&$filter=msdyn_name eq 'Batch WS' HTTP/1.1\r\n"
        "Accept: application/json\r\n\r\n"
        f"--{boundary}--\r\n"
    ).replace("\r\n", "\n")  # LF-only is tolerated
    answer = api.post(
        api.url("$batch"),
        data=body.encode(),
        headers={"Content-Type": f'multipart/mixed; boundary="{boundary}"'},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("multipart/mixed; boundary=batchresponse_")
    text = answer.text
    assert "boundary=changesetresponse_" in text and "Content-ID: 100002" in text
    assert "HTTP/1.1 204 No Content" in text and "Location: " in text and "OData-EntityId: " in text
    assert '"msdyn_name": "Batch WS"' in text


def test_error_shapes(emu, api, raw):
    missing = raw.get(api.url("queues"))
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == (
        f"Bearer authorization_uri={emu.base_url}/{emu.connection['tenant_id']}/oauth2/authorize, "
        f"resource_id={emu.org_url}/"
    )
    unknown = api.get(api.url("Queues"))
    assert unknown.status_code == 404 and unknown.json()["error"] == {
        "code": "0x8006088a",
        "message": "Resource not found for the segment 'Queues'.",
    }
    assert unknown.headers["Content-Type"] == "application/json; odata.metadata=minimal"
    bad_col = api.post(api.url("queues"), json={"nam": "x"})
    assert (
        bad_col.status_code == 400
        and "Invalid property 'nam' was found in entity 'Microsoft.Dynamics.CRM.queue'"
        in bad_col.json()["error"]["message"]
    )
    bad_select = api.get(api.url("queues?$select=nam"))
    assert (
        bad_select.json()["error"]["message"] == "Could not find a property named 'nam' on type "
        "'Microsoft.Dynamics.CRM.queue'."
    )
    too_long = api.post(api.url("msdyn_livechatconfigs"), json={"msdyn_name": "x" * 101})
    assert too_long.status_code == 400 and too_long.json()["error"] == {
        "code": "0x80044331",
        "message": "A validation error occurred.  The length of the 'msdyn_name' attribute of "
        "the 'msdyn_livechatconfig' entity exceeded the maximum allowed length of '100'.",
    }
    for body in (
        {"msdyn_prechatenabled": "yes"},
        {"msdyn_chathistorymonthlimit": "3"},
        {"msdyn_widgetthemecolor": 1},
    ):
        assert api.post(api.url("msdyn_livechatconfigs"), json=body).status_code == 400
    gone = str(uuid.uuid4())
    nf = api.get(api.url(f"queues({gone})"))
    assert nf.status_code == 404 and nf.json()["error"] == {
        "code": "0x80040217",
        "message": f"Entity 'queue' With Id = {gone} Does Not Exist",
    }
    qid = str(uuid.uuid4())
    assert api.post(api.url("queues"), json={"queueid": qid, "name": "dup"}).status_code == 204
    dup = api.post(api.url("queues"), json={"queueid": qid, "name": "dup"})
    assert dup.status_code == 412 and dup.json()["error"]["code"] == "0x80040237"
    bad_nav = api.post(
        api.url("msdyn_livechatconfigs"), json={"msdyn_workstream@odata.bind": f"/queues({qid})"}
    )
    assert bad_nav.status_code == 400 and bad_nav.json()["error"]["code"] == "0x80048d19"
    bind_missing = api.post(
        api.url("msdyn_livechatconfigs"),
        json={"msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({gone})"},
    )
    assert bind_missing.status_code == 404 and bind_missing.json()["error"]["code"] == "0x80040217"
    assert api.get(api.url("queues?$skip=1")).status_code == 400


def test_nav_property_names_are_exact(api):
    ws = seeded_id(
        api, "msdyn_liveworkstreams", "msdyn_liveworkstreamid", "msdyn_name eq 'Existing chat workstream'"
    )
    lang = seeded_id(api, "msdyn_oclanguages", "msdyn_oclanguageid", "msdyn_localeid eq 1033")
    locale = seeded_id(
        api, "msdyn_chatwidgetlanguages", "msdyn_chatwidgetlanguageid", "msdyn_localeid eq 1033"
    )
    auth = seeded_id(
        api,
        "msdyn_authenticationsettingses",
        "msdyn_authenticationsettingsid",
        "msdyn_name eq 'Contoso portal sign-in'",
    )
    created = api.post(
        api.url("msdyn_livechatconfigs"),
        headers={"Prefer": "return=representation"},
        json={
            "msdyn_name": "Nav names",
            "msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({ws})",
            "msdyn_ocWidgetLanguage@odata.bind": f"/msdyn_oclanguages({lang})",
            "msdyn_WidgetLocale@odata.bind": f"/msdyn_chatwidgetlanguages({locale})",
            "msdyn_AuthsettingsId@odata.bind": f"/msdyn_authenticationsettingses({auth})",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["_msdyn_ocwidgetlanguage_value"] == lang
    wrong_case = api.post(
        api.url("msdyn_livechatconfigs"),
        json={"msdyn_ocwidgetlanguage@odata.bind": f"/msdyn_oclanguages({lang})"},
    )
    assert wrong_case.status_code == 400 and wrong_case.json()["error"]["code"] == "0x80048d19"


def test_many_to_many_refs_and_expand(api):
    user = seeded_id(api, "systemusers", "systemuserid", "internalemailaddress eq 'author@contoso.example'")
    bu = api.get(api.url(f"systemusers({user})?$select=_businessunitid_value")).json()[
        "_businessunitid_value"
    ]
    agent = seeded_id(
        api, "roles", "roleid", f"name eq 'Omnichannel agent' and _businessunitid_value eq {bu}"
    )
    nav = f"systemusers({user})/systemuserroles_association"
    assert api.post(api.url(f"{nav}/$ref"), json={"@odata.id": f"roles({agent})"}).status_code == 204
    names = [r["name"] for r in api.get(api.url(f"{nav}?$select=name,roleid")).json()["value"]]
    assert "Omnichannel agent" in names
    refs = api.get(api.url(f"{nav}/$ref")).json()["value"]
    assert any(r["@odata.id"].endswith(f"roles({agent})") for r in refs)
    assert api.delete(api.url(f"{nav}({agent})/$ref")).status_code == 204
    assert api.post(api.url(f"{nav}/$ref"), json={"@odata.id": f"/roles({agent})"}).status_code == 204
    assert api.delete(api.url(f"{nav}/$ref?$id={api.url('')}roles({agent})")).status_code == 204
    child = seeded_id(api, "businessunits", "businessunitid", "name eq 'Contoso Support EU'")
    foreign = seeded_id(api, "roles", "roleid", f"name eq 'Basic User' and _businessunitid_value eq {child}")
    refused = api.post(api.url(f"{nav}/$ref"), json={"@odata.id": f"roles({foreign})"})
    assert refused.status_code == 400 and "business unit" in refused.json()["error"]["message"]
    prefer = {
        "Prefer": 'odata.maxpagesize=3,odata.include-annotations="OData.Community.Display.V1.FormattedValue"'
    }
    listing = api.get(
        api.url(
            "systemusers?$select=fullname,_businessunitid_value&$expand=systemuserroles_association"
            "($select=name,roleid),teammembership_association($select=name,teamid)&$filter=accessmode ne 4"
        ),
        headers=prefer,
    )
    page = listing.json()
    assert len(page["value"]) == 3 and "@odata.nextLink" in page
    rows = page["value"]
    while "@odata.nextLink" in page:
        page = api.get(page["@odata.nextLink"], headers=prefer).json()
        rows += page["value"]
    taylor = next(r for r in rows if r["fullname"] == "Taylor Teamwork")
    assert taylor["_businessunitid_value@OData.Community.Display.V1.FormattedValue"] == "contoso"
    team_id = taylor["teammembership_association"][0]["teamid"]
    team = api.get(
        api.url(f"teams({team_id})?$select=name&$expand=teamroles_association($select=name)")
    ).json()
    assert [r["name"] for r in team["teamroles_association"]] == ["Omnichannel agent"]
    assert all("systemuserroles_association" in r for r in rows)
