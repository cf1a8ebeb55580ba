"""Examples for the OpenAPI document: one request or response per schema, by the schema's name.

They are put into the component schemas by server/openapi.py, and tests/test_openapi_document.py
checks that each one is valid for its model, so an example cannot drift from what the server takes
and gives.
"""

from __future__ import annotations

from typing import Any

from server.quiz_csv import export_csv
from server.quiz_document import QuizDocument

WHEN = "2026-03-10T12:00:00Z"
OWNER = {"id": 7, "username": "hana"}
QUIZ_HEADER = {"id": 12, "title": "World Capitals", "description": "Ten capitals, quick",
               "tags": ["geography"], "published": True, "owner": OWNER, "created_at": WHEN,
               "updated_at": WHEN}
SETTINGS = {"scoring": "speed", "streak": True, "read_time_ms": 0, "auto_advance": False, "shuffle": False,
            "question_on_devices": True, "late_join": True, "top_n": 10, "max_players": 5000}
GAME_HEADER = {"id": 31, "kind": "quiz", "pin": "482913", "status": "finished", "title": "World Capitals",
               "quiz_id": 12, "host_id": 7, "created_at": WHEN, "started_at": WHEN,
               "ended_at": "2026-03-10T12:06:40Z"}
IMAGE_URL = "/images/4f2a0c5be1d3978e6a41b0c27f95d8e3a6c1b7d2e09f4a58c3b6e71d2a9f0c84.png"
QUIZ_DOCUMENT = {
    "title": "World Capitals", "description": "Ten capitals, quick", "tags": ["geography"], "published": True,
    "questions": [
        {"kind": "single", "text": "Capital of this country?", "image": IMAGE_URL,
         "image_alt": "A map of Europe with France shaded", "time_limit": 20, "points": 1000,
         "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
        {"kind": "slider", "text": "Year the Eiffel Tower opened?", "min": 1850, "max": 1950, "step": 1,
         "correct": 1889, "tolerance": 2},
        {"kind": "ordering", "text": "North to south", "options": [{"text": "Oslo"}, {"text": "Rome"}]},
    ],
}

ATTEMPT = {"user": {"id": 9, "username": "ada"}, "status": "finished", "opened_at": WHEN,
           "started_at": "2026-03-10T12:01:00Z", "game_id": 44, "score": 1850, "correct_count": 2, "rank": 1}
ASSIGNMENT = {"id": 5, "code": "q3Vx9Lw2Tb7Ka0Rz", "title": "Capitals homework", "quiz_id": 12, "host": OWNER,
              "questions": 10, "settings": {"scoring": "accuracy", "streak": True, "read_time_ms": 2000,
                                            "shuffle": False},
              "due_at": "2026-03-17T18:00:00Z", "created_at": WHEN, "open": True,
              "link": "https://quiz.example/play?assignment=q3Vx9Lw2Tb7Ka0Rz", "role": "host",
              "progress": {"given": 2, "started": 2, "finished": 1, "average_score": 1850.0},
              "attempt": None,
              "players": [ATTEMPT, {"user": {"id": 11, "username": "bo"}, "status": "in_progress",
                                    "opened_at": WHEN, "started_at": "2026-03-10T12:03:00Z", "game_id": 45,
                                    "score": None, "correct_count": None, "rank": None}]}
SCHEDULED = {"id": 5, "quiz_id": 12, "title": "World Capitals", "starts_at": "2026-03-12T09:00:00Z",
             "state": "open", "settings": SETTINGS, "invitees": ["ines", "omar"], "created_at": WHEN,
             "game_id": 40, "pin": "305117", "host_token": "mJ3kQ0b8fGv1Wl5nYd2Xr7Ta9sHcZu4pEoA6iB_eN0c",
             "join_url": "http://192.168.1.20:8000/play?pin=305117", "failure": None}
NOTIFICATION = {"id": 88, "kind": "game_opening",
                "text": "“World Capitals” hosted by hana is open: join with PIN 305117.",
                "data": {"scheduled_id": 5, "title": "World Capitals", "host": "hana", "pin": "305117",
                         "starts_at": "2026-03-12T09:00:00Z", "role": "player"},
                "created_at": "2026-03-12T09:00:02Z", "read_at": None}
SCHEDULING_EXAMPLES: dict[str, Any] = {
    "ScheduleGame": {"quiz_id": 12, "starts_at": "2026-03-12T09:00:00Z", "settings": {"late_join": False},
                     "invitees": ["ines", "omar"]},
    "ScheduledSession": SCHEDULED,
    "ScheduledList": {"items": [SCHEDULED], "total": 1, "limit": 20, "offset": 0},
    "UpcomingList": {"items": [{"id": 5, "title": "World Capitals", "host": OWNER,
                                "starts_at": "2026-03-12T09:00:00Z", "state": "open", "role": "player",
                                "pin": "305117", "join_url": "http://192.168.1.20:8000/play?pin=305117"}],
                     "total": 1, "limit": 20, "offset": 0},
    "NotificationList": {"items": [NOTIFICATION], "total": 1, "limit": 20, "offset": 0, "unread": 1},
    "MarkRead": {"ids": [88]},
    "Unread": {"unread": 0},
}

EXAMPLES: dict[str, Any] = {
    "StoredImage": {"url": IMAGE_URL, "media_type": "image/png", "width": 1200, "height": 800,
                    "bytes": 284113},
    "GameImages": {"images": [IMAGE_URL]},
    "RegisterRequest": {"username": "hana", "email": "hana@example.com", "password": "correct horse battery"},
    "LoginRequest": {"username": "hana", "password": "correct horse battery"},
    "RefreshRequest": {"refresh_token": "kQ3v0T9m1b3Yf1tWcZ0oD6Jb2yP4xR8s"},
    "TokenPair": {"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJl",
                  "refresh_token": "kQ3v0T9m1b3Yf1tWcZ0oD6Jb2yP4xR8s", "token_type": "bearer",
                  "expires_in": 900},
    "Account": {"id": 7, "username": "hana", "email": "hana@example.com", "role": "user", "xp": 1240,
                "level": 4, "created_at": WHEN},
    "QuizDocument": QUIZ_DOCUMENT,
    "QuizView": {**QUIZ_HEADER, "questions": [
        {"id": 101, "kind": "single", "text": "Capital of France?", "time_limit": 20, "points": 1000,
         "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    ]},
    "QuizPage": {"items": [{**QUIZ_HEADER, "question_count": 10}], "total": 1, "limit": 20, "offset": 0},
    "CreateGame": {"quiz_id": 12, "settings": {"scoring": "accuracy", "read_time_ms": 3000, "top_n": 5}},
    "CreatedGame": {"id": 31, "pin": "482913", "host_token": "Zs1bq0dW3m8KpV2x7TgYc4Lr9HeNa6Uo",
                    "settings": SETTINGS, "join_url": "http://192.168.1.20:8000/play?pin=482913"},
    "GameReport": {**GAME_HEADER, "complete": True, "settings": {**SETTINGS, "voided": []},
                   "questions": [{"index": 0, "kind": "single", "text": "Capital of France?"}],
                   "players": [{"id": "p-3f9a", "nickname": "Ada", "user_id": 9, "score": 1850, "rank": 1,
                                "correct_count": 2}],
                   "answers": [{"player": "p-3f9a", "question": 0, "answer": "o-k2j8", "correct": True,
                                "points": 950, "streak": 1,
                                "receipt": {"sent": 1773144000000, "received": 1773144001240, "rtt_ms": 80,
                                            "credited_ms": 1200}}]},
    "GameList": {"items": [{**GAME_HEADER, "role": "player", "players": 18,
                            "result": {"player": "p-3f9a", "nickname": "Ada", "score": 1850, "rank": 1,
                                       "correct_count": 2}}],
                 "total": 1, "limit": 20, "offset": 0},
    "Progress": {"user": {"id": 9, "username": "ada"}, "xp": 1240, "level": 4, "level_xp": 900,
                 "next_level_xp": 1600,
                 "badges": [{"code": "first_game", "name": "First game", "description": "Finish a game",
                             "awarded_at": WHEN, "game_id": 31}],
                 "streak_days": 3, "games_played": 12, "games_won": 4,
                 "duels": {"won": 2, "lost": 1, "drawn": 0, "rating": 1216, "streak": 1, "best_streak": 2,
                           "played": 5}},
    "DuelHistory": {
        "user": {"id": 9, "username": "ada"},
        "items": [
            {"game_id": 44, "played_at": WHEN, "outcome": "won", "score": 4210, "forfeited": False,
             "opponent": {"nickname": "Grace", "bot": False, "user": {"id": 11, "username": "grace"},
                          "score": 3870, "forfeited": False},
             "rated": True, "rating_before": 1200, "rating_after": 1216, "rating_change": 16},
            {"game_id": 40, "played_at": "2026-03-09T18:30:00Z", "outcome": "lost", "score": 2950,
             "forfeited": False,
             "opponent": {"nickname": "Bot", "bot": True, "user": None, "score": 3400, "forfeited": False},
             "rated": False, "rating_before": None, "rating_after": None, "rating_change": None},
        ],
        "total": 2, "limit": 20, "offset": 0,
    },
    "DuelLeaderboard": {"items": [{"rank": 1, "user": {"id": 9, "username": "ada"}, "rating": 1216, "won": 2,
                                   "lost": 1, "drawn": 0}],
                        "total": 1, "limit": 20, "offset": 0},
    "BadgeList": {"items": [{"code": "first_game", "name": "First game", "description": "Finish a game",
                             "rule": {"games_played": 1}, "earned": True, "awarded_at": WHEN}],
                  "total": 1, "limit": 100, "offset": 0},
    "GlobalLeaderboard": {"period": "week", "since": "2026-03-09T00:00:00Z", "until": "2026-03-16T00:00:00Z",
                          "items": [{"rank": 1, "user": {"id": 9, "username": "ada"}, "xp": 420}],
                          "total": 1, "limit": 10, "offset": 0},
    "QuizLeaderboard": {"period": "all", "since": None, "until": None,
                        "quiz": {"id": 12, "title": "World Capitals"},
                        "items": [{"rank": 1, "user": {"id": 9, "username": "ada"}, "score": 1850}],
                        "total": 1, "limit": 10, "offset": 0},
    "CreateAssignment": {"quiz_id": 12, "due_at": "2026-03-17T18:00:00Z", "title": "Capitals homework",
                         "settings": {"scoring": "accuracy", "read_time_ms": 2000}},
    "AssignmentView": ASSIGNMENT,
    "AssignmentList": {"items": [{**ASSIGNMENT, "players": None}], "total": 1, "limit": 20, "offset": 0},
    "StartedAttempt": {"assignment_id": 5, "game_id": 44, "pin": "730215", "resumed": False,
                       "due_at": "2026-03-17T18:00:00Z"},
    "Health": {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "node": "app-1",
        "rooms": {"owned": 3, "served": 5, "draining": False},
    },
    **SCHEDULING_EXAMPLES,
}

# Examples of bodies that are text rather than JSON, by content type.
RAW_EXAMPLES: dict[str, str] = {
    "text/csv": export_csv(QuizDocument.model_validate(QUIZ_DOCUMENT).model_dump()),
    **dict.fromkeys(("image/png", "image/jpeg", "image/webp", "image/gif"), "(the image file's bytes)"),
}
