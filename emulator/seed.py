"""Out-of-the-box rows of a fresh org, written once per state directory with stable ids."""

from __future__ import annotations

import json
from typing import Any

from . import schema
from .identity import Identity
from .store import Store
from .wire import now_iso

ROOT_BU = "contoso"
CHILD_BU = "Contoso Support EU"
ROOT_ROLES = [
    "System Administrator",
    "Basic User",
    "Customer Service Representative",
    "Omnichannel administrator",
    "Omnichannel supervisor",
    "Omnichannel agent",
    "Omnichannel API access",
    "Productivity tools user",
    "App Profile Manager Administrator",
    "App Profile User",
]
# Dataverse copies every security role into each business unit: a child business unit holds its own copy
# of each role, with its own roleid, inherited from the root (learn.microsoft.com/power-platform/admin/
# security-roles-privileges "a copy of the role is created in each child business unit"; role reference S11:
# role.businessunitid, parentroleid / parentrootroleid).
CHILD_ROLES = list(ROOT_ROLES)
TEAM = "Contoso Support Team"
APP_USER_NAME = "# Chat Channel Studio"
ADMIN_APP_ROLE = "Portal.Admin"
# (fullname, email, business unit, roles, disabled, app roles)
PEOPLE: list[tuple[str, str, str, list[str], bool, list[str]]] = [
    ("Avery Author", "author@contoso.example", ROOT_BU, ["Basic User", "Omnichannel supervisor"], False, []),
    (
        "Riley Reviewer",
        "reviewer@contoso.example",
        ROOT_BU,
        ["Basic User", "Omnichannel supervisor"],
        False,
        [],
    ),
    (
        "Parker Publisher",
        "publisher@contoso.example",
        ROOT_BU,
        ["Basic User", "Omnichannel administrator"],
        False,
        [],
    ),
    (
        "Adrian Admin",
        "admin@contoso.example",
        ROOT_BU,
        ["System Administrator", "Omnichannel administrator"],
        False,
        [ADMIN_APP_ROLE],
    ),
    (
        "Alex Agent",
        "agent@contoso.example",
        ROOT_BU,
        ["Basic User", "Customer Service Representative", "Omnichannel agent"],
        False,
        [],
    ),
    ("Taylor Teamwork", "team.agent@contoso.example", ROOT_BU, ["Basic User"], False, []),
    (
        "Emil Europa",
        "eu.agent@contoso.example",
        CHILD_BU,
        ["Basic User", "Customer Service Representative"],
        False,
        [],
    ),
    ("Dana Departed", "former.agent@contoso.example", ROOT_BU, ["Basic User"], True, []),
]
LANGUAGES = [
    ("English", "en-US", 1033),
    ("Korean", "ko-KR", 1042),
    ("German", "de-DE", 1031),
    ("French", "fr-FR", 1036),
    ("Spanish", "es-ES", 3082),
    ("Japanese", "ja-JP", 1041),
    ("Italian", "it-IT", 1040),
    ("Dutch", "nl-NL", 1043),
    ("Portuguese (Brazil)", "pt-BR", 1046),
]


#: The orgs the emulator can start as. "default" is a new org as the portal's demo uses it; "test" is a second
#: org of the same tenant, as a team's test environment is: its own ids for everything, and some reference
#: rows named differently or only there, so moving a channel between the two has something to resolve.
PROFILES = ("default", "test")
# Per profile: (operating hours name, days, start, end), the extra Omnichannel messaging queues, and the
# authentication setting's name.
OPERATING_HOURS = {
    "default": [("Business hours", "192350001,192350002,192350003,192350004,192350005", "09:00", "17:00")],
    "test": [
        ("Business hours", "192350001,192350002,192350003,192350004,192350005", "08:00", "18:00"),
        (
            "Around the clock",
            "192350000,192350001,192350002,192350003,192350004,192350005,192350006",
            "00:00",
            "23:59",
        ),
    ],
}
EXTRA_QUEUES = {"default": [], "test": ["Test escalation queue"]}
AUTHENTICATION_SETTING = {"default": "Contoso portal sign-in", "test": "Contoso test portal sign-in"}
ORGANIZATION = {"default": "contoso", "test": "contoso-test"}


class _Writer:
    def __init__(self, store: Store, identity: Identity) -> None:
        self.store, self.identity = store, identity

    def put(self, logical: str, key: str, values: dict[str, Any]) -> str:
        table = schema.TABLES[logical]
        row_id = self.identity.seed_id(f"{logical}:{key}")
        stamp = now_iso()
        row: dict[str, Any] = {c: None for c in table.columns if c != "versionnumber"}
        row.update(
            {
                "statecode": 0,
                "statuscode": 1,
                "createdon": stamp,
                "modifiedon": stamp,
                **values,
                table.primary_id: row_id,
            }
        )
        self.store.put(logical, row_id, row)
        return row_id


def role_id(identity: Identity, bu: str, name: str) -> str:
    return identity.seed_id(f"role:{bu}:{name}")


def seed(store: Store, identity: Identity, profile: str = "default") -> None:
    """Write the seed rows of ``profile`` unless this state directory already has them (a state directory
    keeps the profile it was first seeded with)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown emulator profile {profile!r}; choose one of {', '.join(PROFILES)}")
    with store.lock:
        if store.setting("seeded"):
            return
        with store.transaction():
            _seed(_Writer(store, identity), store, identity, profile)
            store.set_setting("seeded", "1")
            store.set_setting("profile", profile)


def _seed(w: _Writer, store: Store, identity: Identity, profile: str) -> None:
    org_id = w.put("organization", "org", {"name": ORGANIZATION[profile]})
    store.set_setting("organization_id", org_id)
    root = w.put("businessunit", ROOT_BU, {"name": ROOT_BU, "isdisabled": False})
    child = w.put(
        "businessunit", CHILD_BU, {"name": CHILD_BU, "isdisabled": False, "parentbusinessunitid": root}
    )
    bus = {ROOT_BU: root, CHILD_BU: child}
    for bu, names in ((ROOT_BU, ROOT_ROLES), (CHILD_BU, CHILD_ROLES)):
        for name in names:
            w.put(
                "role",
                f"{bu}:{name}",
                {
                    "name": name,
                    "businessunitid": bus[bu],
                    "ismanaged": True,
                    "roletemplateid": identity.seed_id(f"roletemplate:{name}"),
                },
            )
    app_roles: dict[str, list[str]] = {}
    users: dict[str, str] = {}
    for fullname, email, bu, roles, disabled, person_roles in PEOPLE:
        first, _, last = fullname.partition(" ")
        user_id = w.put(
            "systemuser",
            email,
            {
                "fullname": fullname,
                "firstname": first,
                "lastname": last,
                "internalemailaddress": email,
                "domainname": email,
                "businessunitid": bus[bu],
                "isdisabled": disabled,
                "accessmode": 0,
                "azureactivedirectoryobjectid": identity.seed_id(f"aad:{email}"),
            },
        )
        users[email] = user_id
        for role in roles:
            store.link("systemuserroles_association", user_id, role_id(identity, bu, role))
        if person_roles:
            app_roles[email] = person_roles
    store.set_setting("app_roles", json.dumps(app_roles))
    app_user = w.put(
        "systemuser",
        "application-user",
        {
            "fullname": APP_USER_NAME,
            "firstname": "#",
            "lastname": "Chat Channel Studio",
            "domainname": f"{identity.client_id}@contoso.example",
            "businessunitid": root,
            "isdisabled": False,
            "accessmode": 4,
            "applicationid": identity.client_id,
            "azureactivedirectoryobjectid": identity.seed_id("serviceprincipal"),
        },
    )
    store.link("systemuserroles_association", app_user, role_id(identity, ROOT_BU, "System Administrator"))
    team = w.put("team", TEAM, {"name": TEAM, "businessunitid": root, "teamtype": 0, "isdefault": False})
    store.link("teamroles_association", team, role_id(identity, ROOT_BU, "Omnichannel agent"))
    store.link("teammembership_association", users["team.agent@contoso.example"], team)
    for name, code, lcid in LANGUAGES:
        w.put(
            "msdyn_oclanguage",
            code,
            {"msdyn_languagename": name, "msdyn_localecode": code, "msdyn_localeid": lcid},
        )
        w.put("msdyn_chatwidgetlanguage", code, {"msdyn_languagename": name, "msdyn_localeid": lcid})
    for name, days, start, end in OPERATING_HOURS[profile]:
        w.put(
            "msdyn_operatinghour",
            "business-hours" if name == "Business hours" else name,
            {
                "msdyn_name": name,
                "msdyn_oc_daysofweek": days,
                "msdyn_starttimestring": start,
                "msdyn_endtimestring": end,
                "msdyn_timezone": 85,
                "msdyn_enablealldays": len(days.split(",")) == 7,
                "msdyn_totalworkhours": "40",
            },
        )
    messaging = w.put(
        "queue",
        "default-messaging",
        {
            "name": "Default messaging queue",
            "msdyn_isomnichannelqueue": True,
            "msdyn_queuetype": 192350000,
            "msdyn_priority": 10000,
            "msdyn_isdefaultqueue": True,
            "queueviewtype": 0,
            "businessunitid": root,
            "msdyn_assignmentstrategy": 192350000,
            "msdyn_operatinghourid": None,
        },
    )
    w.put(
        "queue",
        "default-entity",
        {
            "name": "Default entity queue",
            "msdyn_isomnichannelqueue": True,
            "msdyn_queuetype": 192350001,
            "msdyn_priority": 10000,
            "msdyn_isdefaultqueue": True,
            "queueviewtype": 0,
            "businessunitid": root,
            "msdyn_assignmentstrategy": 192350000,
        },
    )
    for name in EXTRA_QUEUES[profile]:
        w.put(
            "queue",
            name,
            {
                "name": name,
                "msdyn_isomnichannelqueue": True,
                "msdyn_queuetype": 192350000,
                "msdyn_priority": 100,
                "msdyn_isdefaultqueue": False,
                "queueviewtype": 0,
                "businessunitid": root,
                "msdyn_assignmentstrategy": 192350000,
            },
        )
    store.link("queuemembership_association", messaging, users["agent@contoso.example"])
    w.put(
        "msdyn_authenticationsettings",
        "portal-sign-in",
        {
            "msdyn_name": AUTHENTICATION_SETTING[profile],
            "msdyn_authenticationtype": 192350000,
            "msdyn_publickeyurl": "https://portal.contoso.example/.well-known/chat-public-key",
            "msdyn_javascriptclientfunction": "getContosoChatToken",
            "msdyn_ocauthchanneltype": 192360000,
        },
    )
    w.put(
        "msdyn_liveworkstream",
        "existing-chat",
        {
            "msdyn_name": "Existing chat workstream",
            "msdyn_streamsource": 192360000,
            "msdyn_workdistributionmode": 192350000,
            "msdyn_mode": 717210001,
            "msdyn_direction": 0,
            "msdyn_conversationmode": 192350000,
            "msdyn_capacityformat": 192350000,
            "msdyn_capacityrequired": 1,
            "msdyn_autocloseafterinactivity": 30,
            "msdyn_allowedpresences": "192360000,192360001",
            "msdyn_enableautomatedmessages": True,
            "msdyn_defaultqueue": messaging,
        },
    )
