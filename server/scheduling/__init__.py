"""Scheduled sessions and housekeeping: APScheduler runs the jobs on every node, a lock lets one node
run each, and the database rows (not the scheduler's memory) are what a restart keeps."""
