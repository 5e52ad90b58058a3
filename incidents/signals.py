"""Signals incidents sends, for apps that build on it (incidents imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that marked a force and year's statistics as out of date
# (incidents.services.events.statistics_changed). The reports app listens, to bring the
# statistics up to date at once when tasks run in-process; in production its periodic task
# picks the marks up.
statistics_marked = Signal()
