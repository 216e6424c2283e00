"""CRUD, queries, paging, annotations, auth failures, widget snippet and restart persistence."""

from __future__ import annotations

import json
import time
import uuid

import jwt
from conftest import API, client_token, make_session, seeded_id

from emulator import start_emulator


def test_crud_round_trip(api):
    created = api.post(
        api.url("msdyn_surveyquestions"),
        headers={"Prefer": "return=representation"},
        json={"msdyn_name": "Email", "msdyn_questiontext": "Your e-mail?", "msdyn_answertype": 192350000},
    )
    row = created.json()
    qid = row["msdyn_surveyquestionid"]
    assert row["statecode"] == 0 and row["@odata.etag"].startswith('W/"')
    etag = row["@odata.etag"]
    assert (
        api.get(api.url(f"msdyn_surveyquestions({qid})"), headers={"If-None-Match": etag}).status_code == 304
    )
    assert (
        api.patch(
            api.url(f"msdyn_surveyquestions({qid})"),
            json={"msdyn_questiontext": "Mail?"},
            headers={"If-Match": "*"},
        ).status_code
        == 204
    )
    again = api.get(api.url(f"msdyn_surveyquestions({qid})?$select=msdyn_questiontext")).json()
    assert again["msdyn_questiontext"] == "Mail?" and again["@odata.etag"] != etag
    assert api.get(api.url(f"msdyn_surveyquestions({qid})/msdyn_questiontext")).json()["value"] == "Mail?"
    assert (
        api.put(
            api.url(f"msdyn_surveyquestions({qid})/msdyn_placeholdertext"), json={"value": "you@example.com"}
        ).status_code
        == 204
    )
    assert api.delete(api.url(f"msdyn_surveyquestions({qid})/msdyn_placeholdertext")).status_code == 204
    assert api.delete(api.url(f"msdyn_surveyquestions({qid})")).status_code == 204
    assert api.delete(api.url(f"msdyn_surveyquestions({qid})")).status_code == 404


def test_filter_orderby_count_paging(api):
    tag = uuid.uuid4().hex[:8]
    for n in range(7):
        api.post(
            api.url("msdyn_operatinghours"), json={"msdyn_name": f"{tag} O'Neil {n}", "msdyn_timezone": n}
        )
    base = (
        "msdyn_operatinghours?$select=msdyn_name,msdyn_timezone"
        f"&$filter=startswith(msdyn_name,'{tag.upper()}')"
    )
    desc = api.get(api.url(base + "&$orderby=msdyn_timezone desc&$count=true")).json()
    assert desc["@odata.count"] == 7 and [r["msdyn_timezone"] for r in desc["value"]] == list(
        range(6, -1, -1)
    )
    quoted = api.get(api.url(f"msdyn_operatinghours?$filter=msdyn_name eq '{tag} o''neil 3'")).json()["value"]
    assert len(quoted) == 1
    combo = api.get(
        api.url(
            f"msdyn_operatinghours?$filter=contains(msdyn_name,'{tag}') and "
            "(msdyn_timezone ge 5 or not (msdyn_timezone gt 0)) and msdyn_description eq null"
        )
    )
    assert sorted(r["msdyn_timezone"] for r in combo.json()["value"]) == [0, 5, 6]
    page = api.get(api.url(base + "&$orderby=msdyn_timezone"), headers={"Prefer": "odata.maxpagesize=3"})
    assert page.headers["Preference-Applied"] == "odata.maxpagesize=3"
    seen = [r["msdyn_timezone"] for r in page.json()["value"]]
    link = page.json()["@odata.nextLink"]
    assert "$skiptoken=" in link and link.startswith("https://")
    while link:
        nxt = api.get(link, headers={"Prefer": "odata.maxpagesize=3"}).json()
        seen += [r["msdyn_timezone"] for r in nxt["value"]]
        link = nxt.get("@odata.nextLink")
    assert seen == list(range(7))
    assert len(api.get(api.url(base + "&$top=2")).json()["value"]) == 2


def test_lookup_annotations_and_expand(api):
    queue = seeded_id(api, "queues", "queueid", "name eq 'Default messaging queue'")
    ws = api.get(
        api.url(
            "msdyn_liveworkstreams?$select=msdyn_name,_msdyn_defaultqueue_value,msdyn_workdistributionmode"
            f"&$filter=_msdyn_defaultqueue_value eq {queue}&$expand=msdyn_defaultqueue($select=name)"
        ),
        headers={"Prefer": 'odata.include-annotations="*"'},
    )
    row = ws.json()["value"][0]
    assert row["_msdyn_defaultqueue_value@Microsoft.Dynamics.CRM.lookuplogicalname"] == "queue"
    assert (
        row["_msdyn_defaultqueue_value@OData.Community.Display.V1.FormattedValue"]
        == "Default messaging queue"
    )
    assert row["msdyn_workdistributionmode@OData.Community.Display.V1.FormattedValue"] == "Push"
    assert row["msdyn_defaultqueue"]["name"] == "Default messaging queue"
    assert "Preference-Applied" in ws.headers


def test_widget_snippet_fill_and_restricted_delete(api):
    ws = api.post(
        api.url("msdyn_liveworkstreams"),
        headers={"Prefer": "return=representation"},
        json={"msdyn_name": "Snippet WS", "msdyn_streamsource": 192360000},
    ).json()["msdyn_liveworkstreamid"]
    widget = api.post(
        api.url("msdyn_livechatconfigs"),
        headers={"Prefer": "return=representation"},
        json={
            "msdyn_name": "Snippet",
            "msdyn_widgetappid": "client-value",
            "msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({ws})",
        },
    ).json()
    app_id = widget["msdyn_widgetappid"]
    assert app_id != "client-value" and uuid.UUID(app_id)
    org_id = api.get(api.url("WhoAmI")).json()["OrganizationId"]
    snippet = widget["msdyn_widgetsnippet"]
    assert snippet.startswith('<script v2 id="Microsoft_Omnichannel_LCWidget"')
    assert f'data-app-id="{app_id}"' in snippet and f'data-org-id="{org_id}"' in snippet
    assert "omnichannelengagementhub.com" in snippet
    upserted = str(uuid.uuid4())
    api.patch(api.url(f"msdyn_livechatconfigs({upserted})"), json={"msdyn_name": "Upserted"})
    assert api.get(api.url(f"msdyn_livechatconfigs({upserted})?$select=msdyn_widgetappid")).json()[
        "msdyn_widgetappid"
    ]
    refused = api.delete(api.url(f"msdyn_liveworkstreams({ws})"))
    assert refused.status_code == 400
    assert (
        api.delete(api.url(f"msdyn_livechatconfigs({widget['msdyn_livechatconfigid']})")).status_code == 204
    )
    assert api.delete(api.url(f"msdyn_liveworkstreams({ws})")).status_code == 204


def test_unauthorized_variants(emu, api, raw, token):
    url = api.url("WhoAmI")
    claims = jwt.decode(token, options={"verify_signature": False})
    key = emu.identity.signing_key
    expired = jwt.encode({**claims, "exp": int(time.time()) - 10}, key, algorithm="RS256")
    foreign = jwt.encode({**claims, "aud": "https://other.crm.dynamics.com"}, key, algorithm="RS256")
    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = jwt.encode(
        claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256"
    )
    for bearer in (None, "garbage", expired, foreign, forged):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        answer = raw.get(url, headers=headers)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith(
            "Bearer authorization_uri="
        )
    stranger = jwt.encode({**claims, "appid": str(uuid.uuid4())}, key, algorithm="RS256")
    assert raw.get(url, headers={"Authorization": f"Bearer {stranger}"}).status_code == 403


def test_state_survives_restart(tmp_path):
    first = start_emulator(tmp_path)
    conn = dict(first.connection)
    ca = (tmp_path / "ca.pem").read_bytes()
    session = make_session(first.ca_file)
    token = client_token(first, session)
    headers = {"Authorization": f"Bearer {token}"}
    session.post(first.org_url + API + "queues", json={"name": "Persistent queue"}, headers=headers)
    users = session.get(first.org_url + API + "systemusers?$select=systemuserid", headers=headers).json()[
        "value"
    ]
    first.stop()
    second = start_emulator(tmp_path)
    try:
        assert (tmp_path / "ca.pem").read_bytes() == ca
        again = second.connection
        for key in ("tenant_id", "client_id", "client_secret", "signin_client_id", "organization_id"):
            assert again[key] == conn[key]
        assert json.loads((tmp_path / "connection.json").read_text())["org_url"] == second.org_url
        session = make_session(second.ca_file)
        headers = {"Authorization": f"Bearer {client_token(second, session)}"}
        rows = session.get(
            second.org_url + API + "queues?$filter=name eq 'Persistent queue'", headers=headers
        )
        assert len(rows.json()["value"]) == 1
        assert (
            session.get(second.org_url + API + "systemusers?$select=systemuserid", headers=headers).json()[
                "value"
            ]
            == users
        )
    finally:
        second.stop()
