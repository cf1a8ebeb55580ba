"""Quiz content REST area."""

from server.api import Api

api = Api("quizzes")
