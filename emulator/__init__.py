"""Local Dataverse emulator: an Entra-like token endpoint and the Dataverse Web API over HTTPS."""

from .server import EmulatorServer, start_emulator

__all__ = ["EmulatorServer", "start_emulator"]
