from portal.models.audit import AuditEntry, AuditHead
from portal.models.entra import EntraIdentity
from portal.models.environments import Environment

__all__ = ["AuditEntry", "AuditHead", "EntraIdentity", "Environment"]
