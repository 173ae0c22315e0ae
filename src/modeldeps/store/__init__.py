"""The store: scan history of many repositories in SQLite or PostgreSQL (extra ``store``).

The package imports nothing on its own, so the CLI can tell a user a missing extra before any
SQLAlchemy import fails. ``connect.open_store`` opens a store; ``save`` writes a scan;
``queries`` is the read API the CLI, the organization report and the dashboard share.
"""
