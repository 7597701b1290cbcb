"""Where the scores are written: the team's warehouse."""

from __future__ import annotations

WAREHOUSE_URL = "postgresql://maria:Fr4ud-2024!@warehouse.internal:5432/payments"
