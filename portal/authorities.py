"""The sign-in hosts an environment's client secret may be sent to.

A client secret goes to the authority host named on the environment, so that host must be one of
Microsoft Entra ID's own: the public cloud and the national clouds. The list is msal's
``WELL_KNOWN_AUTHORITY_HOSTS`` (msal-python ``msal/authority.py``, which names Microsoft's "National
clouds" page, learn.microsoft.com/entra/identity-platform/authentication-national-cloud, as its source),
written out here so a change in a library release can't widen it unnoticed. Outside production the
local emulator on a loopback address is allowed too.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MICROSOFT_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",  # public cloud
        "login.microsoft.com",  # public cloud alias
        "login.windows.net",  # public cloud, older alias
        "sts.windows.net",  # public cloud, token issuer host
        "login-us.microsoftonline.com",  # US Government
        "login.microsoftonline.us",  # US Government (Arlington)
        "login.usgovcloudapi.net",  # US Government, older
        "login.chinacloudapi.cn",  # China, operated by 21Vianet (older host)
        "login.partner.microsoftonline.cn",  # China, operated by 21Vianet
        "login.microsoftonline.de",  # Germany (retired cloud, kept by msal)
        "login.sovcloud-identity.fr",  # France sovereign cloud
        "login.sovcloud-identity.de",  # Germany sovereign cloud
        "login.sovcloud-identity.sg",  # Singapore sovereign cloud
    }
)
LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def authority_host_allowed(url: str, *, production: bool) -> bool:
    """Whether ``url`` (``https://host[:port]``, no path) may receive an environment's client secret."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username or parts.password or parts.path not in ("", "/"):
        return False
    if parts.query or parts.fragment:
        return False
    if host in MICROSOFT_AUTHORITY_HOSTS:
        return port in (None, 443)
    return not production and _is_loopback(host)
