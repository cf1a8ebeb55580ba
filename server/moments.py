"""Epoch milliseconds (the clock's unit) as the aware UTC datetimes the database stores."""

from __future__ import annotations

from datetime import UTC, datetime


def moment(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
