"""Analytics of played games: per quiz with item analysis, per player, per host, and the integrity
hints of a game's report. SQL aggregates come from `persistence/repositories/analytics.py`; the
statistics over them are pure functions (`stats.py`)."""
