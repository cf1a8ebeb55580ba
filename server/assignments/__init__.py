"""Self-paced assignments: a host gives out a quiz with a due date; each player plays it alone."""
