"""Load generator and raw-`websockets` baseline for QuizArena's performance targets (DESIGN.md)."""
