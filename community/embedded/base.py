from pathlib import Path

from django.db.backends.postgresql import base, client

from community.embedded import server


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        # `manage.py dbshell` runs psql without connecting first: start the server for it.
        params = self.connection.embedded_params()
        self.connection.settings_dict = {
            **self.connection.settings_dict,
            "HOST": params["host"],
            "USER": params["user"],
        }
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def embedded_params(self) -> dict[str, str]:
        return server.connection_params(Path(self.settings_dict["PGDATA"]))

    def get_connection_params(self):
        # Called for the first connection, and by the pool when it is created: the only
        # moment the server is needed, so loading the settings starts nothing.
        params = super().get_connection_params()
        params.update(self.embedded_params())
        return params
