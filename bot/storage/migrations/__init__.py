"""Alembic's script directory: `env.py` and one file per schema revision in `versions/`.

The same revisions run on SQLite and PostgreSQL. They are run at start by `Database.migrate`, never by hand;
`alembic` on the command line is not needed (there is no alembic.ini).
"""
