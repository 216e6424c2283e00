"""Chat widgets made in the org directly (as the admin center makes them), for import and drift tests."""

from __future__ import annotations

import itertools
from typing import Any

_names = itertools.count(1)


def seeded_id(client: Any, entity_set: str, id_col: str, flt: str) -> str:
    return str(next(iter(client.query(entity_set, select=[id_col], filter=flt)))[id_col])


def org_widget(client: Any, name: str | None = None, **columns: Any) -> str:
    """A widget on the seeded chat workstream, in Korean, with two domains (one an exclusion the wizard
    can't show), an automated message to customers and one to agents, and two pre-chat questions (one
    an option set with two options). Returns the widget's id."""
    name = name or f"Org widget {next(_names)}"
    workstream = seeded_id(
        client, "msdyn_liveworkstreams", "msdyn_liveworkstreamid", "msdyn_name eq 'Existing chat workstream'"
    )
    korean = seeded_id(client, "msdyn_oclanguages", "msdyn_oclanguageid", "msdyn_localeid eq 1042")
    hours = seeded_id(
        client, "msdyn_operatinghours", "msdyn_operatinghourid", "msdyn_name eq 'Business hours'"
    )
    data = {
        "msdyn_name": name,
        "msdyn_widgettitle": "Talk to us",
        "msdyn_widgetsubtitle": "Weekdays nine to five",
        "msdyn_widgetthemecolor": 192360017,
        "msdyn_offlinewidgetthemecolor": 192360017,
        "msdyn_widgetposition": 192236011,
        "msdyn_agentdisplayname": 192350001,
        "msdyn_conversationmode": 192350000,
        "msdyn_autodetectlanguage": True,
        "msdyn_proactivechatenabled": True,
        "msdyn_enablefileattachmentsforcustomers": True,
        "msdyn_callingoptions": 192350002,
        "msdyn_showwidgetduringofflinehours": True,
        "msdyn_offlinewidgettitle": "We're away",
        "msdyn_prechatenabled": True,
        "msdyn_liveworkstreamid@odata.bind": f"/msdyn_liveworkstreams({workstream})",
        "msdyn_ocWidgetLanguage@odata.bind": f"/msdyn_oclanguages({korean})",
        "msdyn_operatinghourid@odata.bind": f"/msdyn_operatinghours({hours})",
        **columns,
    }
    widget = str(client.create("msdyn_livechatconfigs", data))
    bind = f"/msdyn_livechatconfigs({widget})"
    for domain, rule in (("contoso.example", 100000000), ("blocked.contoso.example", 100000001)):
        client.create(
            "msdyn_livechatwidgetlocations",
            {
                "msdyn_name": domain,
                "msdyn_domainvalue": domain,
                "msdyn_ruletype": rule,
                "msdyn_livechatconfigid@odata.bind": bind,
            },
        )
    for receiver, text in (
        (192350001, "Welcome! An agent will be with you shortly."),
        (192350000, "Agent hint"),
    ):
        client.create(
            "msdyn_ocsystemmessages",
            {
                "msdyn_name": f"{name} greeting {receiver}",
                "msdyn_streamsource": 192360000,
                "msdyn_messagetype": 2,
                "msdyn_messagereceiver": receiver,
                "msdyn_systemmessageeventtype": 192350017,
                "msdyn_messagetext": text,
                "msdyn_widgetid@odata.bind": bind,
                "msdyn_instanceid": widget,
                "msdyn_defaultlanguage@odata.bind": f"/msdyn_oclanguages({korean})",
            },
        )
    for number, (qname, text, answer_type, options, required) in enumerate(
        (
            ("Name", "What is your name?", 192350000, [], True),
            ("Topic", "What is it about?", 192350002, ["Billing", "Orders"], False),
        ),
        start=1,
    ):
        question = str(
            client.create(
                "msdyn_surveyquestions",
                {
                    "msdyn_name": qname,
                    "msdyn_questiontext": text,
                    "msdyn_answertype": answer_type,
                    "msdyn_LiveWorkStreamToChatQuestion@odata.bind": f"/msdyn_liveworkstreams({workstream})",
                },
            )
        )
        for option in options:
            client.create(
                "msdyn_chatansweroptions",
                {
                    "msdyn_name": option,
                    "msdyn_AnswerOptionsId@odata.bind": f"/msdyn_surveyquestions({question})",
                },
            )
        client.create(
            "msdyn_questionsequences",
            {
                "msdyn_name": qname,
                "msdyn_chatquestionnairetype": 192350001,
                "sequencenumber": number,
                "msdyn_questionrequired": required,
                "msdyn_ChatEngagementToChatSequenceId@odata.bind": bind,
                "msdyn_SurveyQuestion@odata.bind": f"/msdyn_surveyquestions({question})",
            },
        )
    return widget


def writes(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests of the log that change something: any non-GET to the Web API outside ``$batch``, and
    every ``$batch`` holding anything but GETs."""
    found = []
    for entry in entries:
        if "/api/data/" not in entry["path"]:
            continue
        if entry["path"].endswith("$batch"):
            if any(op["method"] != "GET" for op in entry.get("operations") or []):
                found.append(entry)
        elif entry["method"] not in ("GET", "HEAD"):
            found.append(entry)
    return found
