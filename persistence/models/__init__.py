"""All models, imported here so that `Base.metadata` knows every table."""

from persistence.models.assignments import Assignment, AssignmentPlayer
from persistence.models.base import Base, utcnow
from persistence.models.games import Answer, Game, GamePlayer
from persistence.models.gamification import Badge, BadgeAward, DuelRating, DuelResult, XpEvent
from persistence.models.notifications import Notification
from persistence.models.quizzes import Question, Quiz, QuizTag
from persistence.models.scheduling import ScheduledGame, ScheduledInvite
from persistence.models.users import RefreshToken, User

__all__ = [
    "Answer",
    "Assignment",
    "AssignmentPlayer",
    "Badge",
    "BadgeAward",
    "Base",
    "DuelRating",
    "DuelResult",
    "Game",
    "GamePlayer",
    "Notification",
    "Question",
    "Quiz",
    "QuizTag",
    "RefreshToken",
    "ScheduledGame",
    "ScheduledInvite",
    "User",
    "XpEvent",
    "utcnow",
]
