from portal.models.audit import AuditEntry
from portal.models.entra import EntraIdentity
from portal.models.environments import Environment

__all__ = ["AuditEntry", "EntraIdentity", "Environment"]
