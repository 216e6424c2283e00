from portal.models.audit import AuditEntry
from portal.models.environments import Environment

__all__ = ["AuditEntry", "Environment"]
