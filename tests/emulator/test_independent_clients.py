"""Microsoft's Python Dataverse SDK against the emulator, unchanged (skipped when the SDK is not installed).

`pip install powerplatform-dataverse-client` runs it; the SDK is not part of the project's install because it
brings azure-identity and pandas.
"""

from __future__ import annotations

import time

import pytest
import requests

sdk = pytest.importorskip("PowerPlatform.Dataverse.client")
credentials = pytest.importorskip("azure.core.credentials")


class EmulatorCredential:
    """An azure-core TokenCredential that asks the emulator's token endpoint (client credentials)."""

    def __init__(self, emu) -> None:
        self.conn = emu.connection

    def get_token(self, *scopes: str, **kwargs):
        answer = requests.post(
            f"{self.conn['authority']}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.conn["client_id"],
                "client_secret": self.conn["client_secret"],
                "scope": scopes[0] if scopes else f"{self.conn['org_url']}/.default",
            },
            verify=self.conn["ca_file"],
        )
        answer.raise_for_status()
        token = answer.json()
        return credentials.AccessToken(token["access_token"], int(time.time()) + int(token["expires_in"]))


def test_microsoft_python_sdk_crud_query_and_refusal(emu, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_file)
    client = sdk.DataverseClient(emu.org_url, EmulatorCredential(emu))
    row_id = client.records.create(
        "msdyn_operatinghour", {"msdyn_name": "From the SDK", "msdyn_timezone": 85}
    )
    assert client.records.retrieve("msdyn_operatinghour", row_id, select=["msdyn_name"])["msdyn_name"] == (
        "From the SDK"
    )
    client.records.update("msdyn_operatinghour", row_id, {"msdyn_name": "SDK renamed"})
    result = client.records.list(
        "msdyn_operatinghour", select=["msdyn_name"], filter="msdyn_name eq 'SDK renamed'"
    )
    found = [record["msdyn_name"] for record in result]
    assert found == ["SDK renamed"]
    with pytest.raises(Exception, match="maximum allowed length of '100'"):
        client.records.create("msdyn_operatinghour", {"msdyn_name": "x" * 101})
    assert client.tables.get("msdyn_livechatconfig").entity_set_name == "msdyn_livechatconfigs"
    client.records.delete("msdyn_operatinghour", row_id)
