"""Notifications: stored per user (`GET /notifications`), pushed to the user's `subscribe` sockets on
every node, and made by the results writer (badges, levels), the scheduler (a session opening) and
anyone else through `Notifier.notify`."""
