"""What a real org refuses, one rule per test, through raw HTTP; each test names the source of its rule."""

from __future__ import annotations

import json
import uuid

from conftest import API, seeded_id

from emulator import schema

EXPAND_ERROR = "0x80060888"


def error(answer) -> tuple[int, str, str]:
    body = answer.json()["error"]
    return answer.status_code, body["code"], body["message"]


def user_id(api, email: str) -> str:
    return seeded_id(api, "systemusers", "systemuserid", f"internalemailaddress eq '{email}'")


def workstream(api) -> str:
    return seeded_id(
        api, "msdyn_liveworkstreams", "msdyn_liveworkstreamid", "msdyn_streamsource eq 192360000"
    )


# --- $expand shapes ---------------------------------------------------------------------------------------


def test_many_to_many_expanded_with_a_lookup_is_refused(api):
    # Source: "Join tables using OData", powerapps-docs webapi/query/join-tables.md (N:N cannot be expanded
    # together with other relationship kinds).
    answer = api.get(
        api.url(
            "systemusers?$select=fullname&$expand=businessunitid($select=name),"
            "systemuserroles_association($select=name)"
        )
    )
    status, code, message = error(answer)
    assert (status, code) == (400, EXPAND_ERROR)
    assert "systemuserroles_association" in message and "businessunitid" in message
    # Each kind on its own, and two N:N together, are answered.
    assert api.get(api.url("systemusers?$select=fullname&$expand=businessunitid($select=name)")).ok
    both = api.get(
        api.url(
            "systemusers?$select=fullname&$expand=systemuserroles_association($select=name),"
            "teammembership_association($select=name)"
        )
    )
    assert both.ok and "teammembership_association" in both.json()["value"][0]


def test_many_to_many_nested_in_many_to_many_is_refused(api):
    # Source: join-tables.md (no N:N expansion nested inside an N:N expansion).
    answer = api.get(
        api.url(
            "systemusers?$select=fullname&$expand=teammembership_association($select=name;"
            "$expand=teamroles_association($select=name))"
        )
    )
    assert error(answer)[:2] == (400, EXPAND_ERROR)
    # A lookup nested in an N:N is answered.
    nested = api.get(
        api.url(
            "systemusers?$select=fullname&$expand=teammembership_association($select=name;$expand=businessunitid)"
        )
    )
    assert nested.ok, nested.text


def test_top_beside_a_nested_collection_expand_is_refused(api):
    # Source: join-tables.md ($orderby and $top "Not supported with nested $expand" on collection-valued
    # navigation properties).
    answer = api.get(
        api.url(
            "systemusers?$select=fullname&$expand=teammembership_association($select=name;$top=1;"
            "$expand=businessunitid($select=name))"
        )
    )
    assert error(answer)[:2] == (400, EXPAND_ERROR)
    plain = api.get(
        api.url("systemusers?$select=fullname&$expand=teammembership_association($select=name;$top=1)")
    )
    assert plain.ok, plain.text


def test_more_than_fifteen_expands_is_refused(api):
    # Source: join-tables.md ("You can include up to 15 $expand options in a query").
    def chain(depth: int) -> str:
        nested = "parentbusinessunitid($select=name)"
        for _ in range(depth - 1):
            nested = f"parentbusinessunitid($select=name;$expand={nested})"
        return nested

    assert api.get(api.url(f"businessunits?$select=name&$expand={chain(15)}")).ok
    status, code, message = error(api.get(api.url(f"businessunits?$select=name&$expand={chain(16)}")))
    assert (status, code) == (400, EXPAND_ERROR) and "16" in message


def test_unknown_navigation_property_in_expand_is_refused(api):
    # Source: web-api-navigation-properties.md (names are case sensitive); the 2023 reference page's
    # PreChatQuestionnaire casing is the column's SchemaName, not its navigation property.
    answer = api.get(api.url("msdyn_livechatconfigs?$expand=msdyn_PreChatQuestionnaireAuthenticated"))
    status, code, message = error(answer)
    assert (status, code) == (400, EXPAND_ERROR) and "msdyn_PreChatQuestionnaireAuthenticated" in message


# --- columns as the snapshot declares them -----------------------------------------------------------------


def test_string_length_is_counted_in_utf16_units(api):
    # Source: msdyn_surveyquestion reference (msdyn_name MaxLength 100) and the Web API error list
    # (0x80044331, "The length of the '...' attribute ... exceeded the maximum allowed length").
    # Dataverse strings are .NET strings: a character outside the BMP ("😀") is two UTF-16 units.
    fits = "a" * 98 + "😀"  # 100 units, 99 code points
    too_long = "a" * 99 + "😀"  # 101 units, 100 code points: Python's len() would let it through
    ok = api.post(api.url("msdyn_surveyquestions"), json={"msdyn_name": fits, "msdyn_answertype": 192350000})
    assert ok.status_code == 204, ok.text
    refused = api.post(
        api.url("msdyn_surveyquestions"), json={"msdyn_name": too_long, "msdyn_answertype": 192350000}
    )
    status, code, message = error(refused)
    assert (status, code) == (400, "0x80044331") and "'100'" in message and "msdyn_name" in message


def test_automated_message_text_holds_2000_characters(api):
    # Source: msdyn_ocsystemmessage reference, msdyn_messagetext Memo MaxLength 2000.
    body = {"msdyn_messagetext": "x" * 2001, "msdyn_systemmessageeventtype": 192350017}
    status, code, _ = error(api.post(api.url("msdyn_ocsystemmessages"), json=body))
    assert (status, code) == (400, "0x80044331")
    body["msdyn_messagetext"] = "x" * 2000
    assert api.post(api.url("msdyn_ocsystemmessages"), json=body).status_code == 204


def test_every_chat_trigger_of_the_reference_is_a_valid_choice(api):
    # Source: msdyn_ocsystemmessage reference, msdyn_systemmessageeventtype choices (e.g. 192350015 Session
    # ended, 192350011 Transfer to queue started, 192350030 Average wait time: Minutes).
    for trigger in (192350015, 192350011, 192350030, 192350036):
        answer = api.post(
            api.url("msdyn_ocsystemmessages"),
            json={"msdyn_messagetext": "Hi", "msdyn_systemmessageeventtype": trigger},
        )
        assert answer.status_code == 204, (trigger, answer.text)


def test_choice_value_outside_the_options_is_refused(api):
    # Source: msdyn_livechatconfig reference (msdyn_widgetposition: 192236010, 192236011) and the Web API
    # error list (0x8004431a, value outside the valid range).
    answer = api.post(api.url("msdyn_livechatconfigs"), json={"msdyn_name": "x", "msdyn_widgetposition": 3})
    status, code, message = error(answer)
    assert (status, code) == (400, "0x8004431a") and "192236010" in message


def test_integer_outside_its_range_is_refused(api):
    # Source: msdyn_livechatconfig reference (msdyn_chathistorymonthlimit MinValue 0, MaxValue 12).
    answer = api.post(
        api.url("msdyn_livechatconfigs"), json={"msdyn_name": "x", "msdyn_chathistorymonthlimit": 13}
    )
    assert error(answer)[:2] == (400, "0x8004431a")


def test_unknown_column_is_refused(api):
    # Source: web-api-client-errors / compose-http-requests-handle-errors ("Invalid property '...' was found
    # in entity"; "Could not find a property named ...").
    status, _, message = error(api.post(api.url("msdyn_livechatconfigs"), json={"msdyn_nope": "x"}))
    assert status == 400 and "Invalid property 'msdyn_nope'" in message
    status, _, message = error(api.get(api.url("msdyn_livechatconfigs?$select=msdyn_nope")))
    assert status == 400 and "Could not find a property named 'msdyn_nope'" in message


def test_bot_survey_flag_is_a_boolean_and_the_separate_survey_a_lookup(api):
    # Source: msdyn_livechatconfig reference: msdyn_postconversationsurveybotsurvey is Boolean ("Enable or
    # disable bot survey"), msdyn_postconversationsurveyseparatebotsurvey is a Lookup to msfp_survey with
    # navigation property msdyn_PostConversationSurveySeparateBotSurvey.
    ok = api.post(
        api.url("msdyn_livechatconfigs"),
        json={"msdyn_name": "bot survey", "msdyn_postconversationsurveybotsurvey": True},
    )
    assert ok.status_code == 204, ok.text
    wrong = api.post(
        api.url("msdyn_livechatconfigs"),
        json={"msdyn_name": "x", "msdyn_postconversationsurveyseparatebotsurvey": True},
    )
    assert wrong.status_code == 400
    missing = str(uuid.uuid4())
    bound = api.post(
        api.url("msdyn_livechatconfigs"),
        json={
            "msdyn_name": "x",
            "msdyn_PostConversationSurveySeparateBotSurvey@odata.bind": f"/msfp_surveies({missing})",
        },
    )
    assert error(bound)[:2] == (404, "0x80040217")  # the navigation property exists; the survey does not


def test_pre_chat_question_set_navigation_names_are_lower_case(api):
    # Source: msdyn_livechatconfig reference, relationships msdyn_questionseq_msdyn_livechatconf_auth/_unauth:
    # ReferencingEntityNavigationPropertyName msdyn_prechatquestionnaireauthenticated / ...unauthenticated.
    seq = api.post(
        api.url("msdyn_questionsequences"),
        headers={"Prefer": "return=representation"},
        json={"msdyn_name": "set", "msdyn_chatquestionnairetype": 192350001, "sequencenumber": 1},
    ).json()["msdyn_questionsequenceid"]
    ok = api.post(
        api.url("msdyn_livechatconfigs"),
        json={
            "msdyn_name": "pre-chat",
            "msdyn_prechatquestionnaireunauthenticated@odata.bind": f"/msdyn_questionsequences({seq})",
        },
    )
    assert ok.status_code == 204, ok.text
    old = api.post(
        api.url("msdyn_livechatconfigs"),
        json={
            "msdyn_name": "pre-chat",
            "msdyn_PreChatQuestionnaireUnauthenticated@odata.bind": f"/msdyn_questionsequences({seq})",
        },
    )
    assert error(old)[:2] == (400, "0x80048d19")


def test_lookup_to_a_row_that_does_not_exist_is_refused(api):
    # Source: web-api-client-errors (0x80040217 "Entity '...' With Id = ... Does Not Exist"); the status for a
    # dangling @odata.bind is not documented, 404 is the not-found shape of the same code.
    missing = str(uuid.uuid4())
    answer = api.post(
        api.url("msdyn_livechatconfigs"),
        json={"msdyn_name": "x", "msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({missing})"},
    )
    status, code, message = error(answer)
    assert (status, code) == (404, "0x80040217") and missing in message


# --- security roles ----------------------------------------------------------------------------------------


def test_every_business_unit_holds_its_own_copy_of_the_omnichannel_roles(api):
    # Source: role reference (role.businessunitid: a role belongs to one business unit) and "Assign roles and
    # enable users" (the Manage security roles dialog lists the roles of the user's business unit).
    units = api.get(api.url("businessunits?$select=businessunitid,name")).json()["value"]
    assert len(units) >= 2
    for unit in units:
        names = {
            r["name"]
            for r in api.get(
                api.url(f"roles?$select=name&$filter=_businessunitid_value eq {unit['businessunitid']}")
            ).json()["value"]
        }
        assert {"Omnichannel administrator", "Omnichannel supervisor", "Omnichannel agent"} <= names, unit


def test_role_of_another_business_unit_is_refused(api):
    # Source: role reference (business-unit scoped roles); a real org refuses assigning a role whose business
    # unit differs from the user's. The exact code and wording are not documented.
    emil = user_id(api, "eu.agent@contoso.example")
    root_bu = api.get(
        api.url(f"systemusers({user_id(api, 'author@contoso.example')})?$select=_businessunitid_value")
    )
    root_agent = seeded_id(
        api,
        "roles",
        "roleid",
        f"name eq 'Omnichannel agent' and _businessunitid_value eq {root_bu.json()['_businessunitid_value']}",
    )
    answer = api.post(
        api.url(f"systemusers({emil})/systemuserroles_association/$ref"),
        json={"@odata.id": f"roles({root_agent})"},
    )
    status, _, message = error(answer)
    assert status == 400 and "business unit" in message
    held = api.get(api.url(f"systemusers({emil})/systemuserroles_association?$select=roleid")).json()["value"]
    assert root_agent not in {r["roleid"] for r in held}


# --- $batch ------------------------------------------------------------------------------------------------


def test_more_than_1000_operations_in_a_batch_is_refused(api):
    # Source: execute-batch-operations-using-web-api.md ("Batch requests can contain up to 1,000 individual
    # requests"). The message wording is not documented.
    part = (
        "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        f"GET {API}WhoAmI HTTP/1.1\r\n\r\n"
    )
    answer = api.post(
        api.url("$batch"),
        data=(part * 1001 + "--b--\r\n").encode(),
        headers={"Content-Type": "multipart/mixed;boundary=b"},
    )
    status, _, message = error(answer)
    assert status == 400 and "1000" in message


# --- the snapshot itself -----------------------------------------------------------------------------------


def test_every_table_is_built_from_the_snapshot_and_names_its_source():
    data = json.loads(schema.SNAPSHOT.read_text(encoding="utf-8"))
    assert set(data["tables"]) == set(schema.TABLES)
    for logical, spec in data["tables"].items():
        table = schema.TABLES[logical]
        assert spec["source"]["url"].startswith("https://learn.microsoft.com/"), logical
        assert table.entity_set == spec["entity_set"] and table.primary_id in spec["columns"]
        for column, lookup in spec["lookups"].items():
            assert lookup["target"] in schema.TABLES, (logical, column)
            assert table.lookup_by_nav(lookup["nav"]).column == column
        for name, column in spec["columns"].items():
            assert table.columns[name].type == column["type"]
            assert table.columns[name].max_length == column.get("max_length")
    for rel in data["relationships"]:
        assert rel["kind"] == "N:N" and {rel["table1"], rel["table2"]} <= set(schema.TABLES)
        assert rel["source"]["url"].startswith("https://learn.microsoft.com/")
