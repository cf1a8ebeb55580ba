"""Fixtures for the room tests: the store and bus backends the contract tests run over."""

from tests.rooms.backends import backend, bus_pair  # noqa: F401  (fixtures)
