"""Duels on the database's side: recording a finished duel with the results, and the sources a new
duel is built from (ratings, questions, its game row)."""
