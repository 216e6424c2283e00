"""Retry policy: when to retry a failed Dataverse call and how long to wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import DataverseError, ServiceUnavailableError, ThrottledError, TransportError

OnRetry = Callable[[int, DataverseError, float], None]

# 502/503/504 are transient gateway/service answers; 500 and 501 usually are not.
RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff that honour ``Retry-After``.

    ``on_retry(retry_number, error, delay)`` is called before each wait; ``retry_number`` counts retries
    from 1, so a progress message can read ``f"retry {n} of {policy.max_retries}, waiting {delay:g} s"``.
    """

    max_attempts: int = 5
    max_total_seconds: float = 120.0
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    on_retry: OnRetry | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @property
    def max_retries(self) -> int:
        return self.max_attempts - 1

    def backoff(self, retry_number: int) -> float:
        """Exponential delay for the given retry (1 → base, 2 → 2×base, ...), capped at ``backoff_max``."""
        return min(self.backoff_base * (2 ** max(retry_number - 1, 0)), self.backoff_max)

    def is_retryable(self, error: DataverseError, *, idempotent: bool) -> bool:
        if isinstance(error, ThrottledError):
            # A 429 for the whole request means it was not executed, so any method may be resent. A 429
            # inside a $batch part may follow committed parts; then only an idempotent batch may be resent.
            return not error.from_batch_part or idempotent
        if isinstance(error, TransportError):
            if error.tls_failure:
                return False
            # Nothing reached the service when the connection was never made, so even a create may be resent.
            return idempotent or error.before_send
        if isinstance(error, ServiceUnavailableError):
            return idempotent and error.status in RETRYABLE_STATUSES
        return False

    def delay_for(self, error: DataverseError, retry_number: int) -> float:
        if isinstance(error, ThrottledError) and error.retry_after is not None:
            return error.retry_after
        return self.backoff(retry_number)
