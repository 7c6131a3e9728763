"""A PostgreSQL database backend that starts the embedded server on the first connection.

`ENGINE = "community.embedded"` with `PGDATA` naming the data directory: loading the settings
starts nothing; the first query of a process (a command, the server, a test run) starts or
joins the shared server in that directory. See `server.py` for how it is shared and stopped.
"""
