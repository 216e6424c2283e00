"""Path converter for database ids: at most 18 digits, so every id in a URL fits a BIGINT column and a
longer number is a 404 rather than an overflow in the database driver."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
