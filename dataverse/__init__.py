"""Framework-free client for the Microsoft Dataverse Web API (OData v4) with msal client-credentials auth."""

from .auth import ClientCredentialsTokenProvider, TokenProvider, forget_token_providers, token_provider_for
from .batch import Batch, BatchOperation, BatchPart, BatchResponse, ChangeSet
from .client import DataverseClient, QueryPage
from .errors import (
    AuthenticationError,
    DataverseError,
    DuplicateError,
    NotFoundError,
    PreconditionFailedError,
    PrivilegeError,
    ServiceUnavailableError,
    ThrottledError,
    TransportError,
    ValidationError,
)
from .odata import literal
from .retry import RetryPolicy
from .transport import build_session

__all__ = [
    "AuthenticationError",
    "Batch",
    "BatchOperation",
    "BatchPart",
    "BatchResponse",
    "ChangeSet",
    "ClientCredentialsTokenProvider",
    "DataverseClient",
    "DataverseError",
    "DuplicateError",
    "NotFoundError",
    "PreconditionFailedError",
    "PrivilegeError",
    "QueryPage",
    "RetryPolicy",
    "ServiceUnavailableError",
    "ThrottledError",
    "TokenProvider",
    "TransportError",
    "ValidationError",
    "build_session",
    "forget_token_providers",
    "literal",
    "token_provider_for",
]
