"""Auth REST area."""

from server.api import Api

api = Api("auth")
