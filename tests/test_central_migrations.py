"""Central's schema comes from Django migrations: `kiosk-central migrate` makes an empty database
(SQLite and PostgreSQL), takes over one an older central made before migrations existed, and the
committed migrations match the models (nothing left for makemigrations)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SQLITE, start_central

# The dump's queued command expires in 2099, so what the test sees does not depend on the date.
OLD_SQLITE_DUMP = Path(__file__).parent / "data" / "central-sqlite-before-migrations.sql"
TABLES = {"record", "blob", "piece", "release", "enrollment_code", "device", "config_setting",
          "device_command", "submission", "auth_user", "auth_group", "django_session",
          "axes_accessattempt"}


def central_cli(home: Path, *args: str, db_url: str | None = None,
                check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    env.pop("CENTRAL_DB_URL", None)
    if db_url:
        env["CENTRAL_DB_URL"] = db_url
    res = subprocess.run([sys.executable, "-m", "central.cli", *args], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    if check and res.returncode != 0:
        raise AssertionError(f"kiosk-central {' '.join(args)} failed: {res.stderr.strip()}")
    return res


def pg_tables(url: str) -> set[str]:
    import psycopg

    base, _, query = url.partition("?")
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://") + "?"
                         + query) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r[0] for r in rows}


def test_migrate_makes_an_empty_sqlite_database(tmp_path):
    home = tmp_path / "home"
    first = central_cli(home, "migrate")
    assert "applied central.0001_initial" in first.stdout
    with sqlite3.connect(home / "central.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert TABLES <= tables and "django_migrations" in tables
    again = central_cli(home, "migrate")
    assert again.stdout == "" and "up to date (0 migration(s) applied now)" in again.stderr
    assert central_cli(home, "migrate", "--check").returncode == 0


def test_an_sqlite_database_from_before_migrations_is_taken_over(tmp_path):
    """A database the previous release made (tables created by SQLAlchemy at start, a release,
    a kiosk, a vote, a queued command, a fleet setting, a staff account) keeps all of it."""
    home = tmp_path / "home"
    home.mkdir()
    with sqlite3.connect(home / "central.sqlite3") as conn:
        conn.executescript(OLD_SQLITE_DUMP.read_text())
    check = central_cli(home, "migrate", "--check", check=False)
    assert check.returncode == 1 and "not applied: central.0001_initial" in check.stdout
    # The server migrates SQLite itself: no step for staff.
    server = start_central(home, db=SQLITE)
    try:
        devices = central_cli(home, "devices").stdout
        assert "kiosk-2bf1a553fe9e" in devices and "old kiosk @ Sohar" in devices
        assert "sync_now       queued" in central_cli(home, "commands",
                                                      "kiosk-2bf1a553fe9e").stdout
        shown = central_cli(home, "config", "show").stdout
        assert "idle_timeout_s = 120  (fleet)" in shown
        assert "MIO-261202-3EGDEFWS" in central_cli(home, "export-submissions").stdout
        assert server.get("/api/v1/polls/favourite/results").json()["total_votes"] == 1
        # The staff account keeps its password (its argon2 hash moved to Django's accounts).
        signed_in = server.sign_in("olduser", "a long password 1")
        assert signed_in.status_code == 200 and "Signed in as olduser (editor)" in signed_in.text
        assert server.sign_in("olduser", "not the password").status_code == 401
        assert central_cli(home, "publish").stdout.strip() == "2"
        assert len(server.get("/open-data/products.json").json()["products"]) == 3
    finally:
        server.stop()
    assert central_cli(home, "migrate", "--check").returncode == 0


def test_migrate_makes_an_empty_postgresql_database(tmp_path, pg_cluster):
    with pg_cluster.database() as url:
        _migrate_empty(tmp_path, url)


def _migrate_empty(tmp_path: Path, url: str) -> None:
    assert pg_tables(url) == set()
    first = central_cli(tmp_path / "home", "migrate", db_url=url)
    assert "applied central.0001_initial" in first.stdout
    assert TABLES | {"django_migrations"} <= pg_tables(url)
    assert central_cli(tmp_path / "home", "migrate", "--check", db_url=url).returncode == 0


def test_an_unmigrated_postgresql_database_is_refused_with_what_to_do(tmp_path, pg_cluster):
    """A PostgreSQL database that has tables but lacks migrations is production being
    upgraded: central does not change it by itself, it says how."""
    with pg_cluster.database() as url:
        _refused(tmp_path, url)


def _refused(tmp_path: Path, url: str) -> None:
    import psycopg

    base, _, query = url.partition("?")
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://") + "?" + query,
                         autocommit=True) as conn:
        conn.execute("CREATE TABLE something_else (id integer)")
    refused = central_cli(tmp_path / "home", "devices", db_url=url, check=False)
    assert refused.returncode == 1
    assert "not up to date" in refused.stderr and "kiosk-central migrate" in refused.stderr
    central_cli(tmp_path / "home", "migrate", db_url=url)
    assert central_cli(tmp_path / "home", "devices", db_url=url).returncode == 0


def test_the_migrations_match_the_models(tmp_path):
    env = {**os.environ, "CENTRAL_HOME": str(tmp_path / "home")}
    env.pop("CENTRAL_DB_URL", None)
    res = subprocess.run([sys.executable, "-m", "central.manage", "makemigrations", "--check",
                          "--dry-run", "central"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, f"models changed without a migration:\n{res.stdout}{res.stderr}"
    assert "No changes detected" in res.stdout


@pytest.mark.parametrize("url, message", [
    ("mysql://somewhere/db", "must start with sqlite:/// or postgresql://"),
])
def test_an_unknown_database_url_gets_a_sentence(tmp_path, url, message):
    res = central_cli(tmp_path / "home", "devices", db_url=url, check=False)
    assert res.returncode == 1 and message in res.stderr


def test_a_second_database_in_one_process_gets_its_own_page_tree(tmp_path, central_db):
    """A process whose default database is one central's opens another (the tests, the bench):
    the migrations' data (Wagtail's root page, which the CMS's tree hangs from) goes to the
    database migrated, never to the default one, which stays untouched (here it can not even be
    opened: its home does not exist)."""
    other = tmp_path / "other"
    default_home = tmp_path / "missing" / "default-home"
    code = (
        "from central.config import load_settings\n"
        "from central.service import Central\n"
        "import sys\n"
        f"svc = Central(load_settings(home={str(other)!r}, db_url=sys.argv[1] or None))\n"
        "from wagtail.models import Page\n"
        "print(Page.objects.using(svc.db).filter(depth=1).count())\n"
    )
    env = {**os.environ, "CENTRAL_HOME": str(default_home), "CENTRAL_SQLITE_TEMPLATE": "0"}
    env.pop("CENTRAL_DB_URL", None)
    res = subprocess.run([sys.executable, "-c", code, central_db.url or ""], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["1"]
    assert not default_home.exists()


def test_a_cms_in_use_before_governorates_were_snippets_keeps_them_at_the_next_publish(
        tmp_path, central_catalogue_dir):
    """The migration that made governorates a CMS kind gives a CMS already in use (cms-import
    ran before it) the governorates kiosks have, so the next publish does not retire them."""
    home = tmp_path / "home"
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    env.pop("CENTRAL_DB_URL", None)

    def run(*args: str) -> str:
        res = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stdout

    run("-m", "central.cli", "import-demo", "--dir", str(central_catalogue_dir))
    run("-m", "central.cli", "publish")
    run("-m", "central.cli", "cms-import")
    # As before the governorates' migration: back to the one before it (its table gone), then
    # forward again, as an upgrade runs it.
    run("-m", "central.manage", "migrate", "cms", "0012_easy_read_edited")
    run("-m", "central.manage", "migrate")
    out = run("-c", "import json; from central.config import load_settings; "
                    "from central.service import Central; "
                    "c = Central(load_settings()); "
                    "from central.cms import kiosk; p = kiosk.plan(c); "
                    "d = next(x for x in p.diffs if x.kind == 'governorate'); "
                    "print(json.dumps({'retired': d.retired, 'unchanged': d.unchanged, "
                    "'records': sorted(p.records['governorate'])}))")
    plan = json.loads(out.strip().splitlines()[-1])
    assert plan["retired"] == [] and plan["unchanged"] == 2
    assert plan["records"] == ["dhofar", "muscat"]



# Run by `central.manage shell` at cms 0013 (Central itself would migrate the database first):
# the site info's featured rows as staff typed them then, in the table and in its revision.
TYPE_FEATURED_IDS = """
import json
from django.db import connection
typed = json.loads(%r)
with connection.cursor() as cur:
    cur.execute("SELECT id, latest_revision_id FROM cms_siteinfo")
    site, rev = cur.fetchone()
    cur.execute("UPDATE cms_siteinfo SET use_featured = %%s", [True])
    for i, (kind, rid) in enumerate(typed):
        cur.execute("INSERT INTO cms_sitefeatured (site_id, sort_order, item_kind, item_id) "
                    "VALUES (%%s, %%s, %%s, %%s)", [site, i, kind, rid])
    cur.execute("SELECT content FROM wagtailcore_revision WHERE id = %%s", [rev])
    content = cur.fetchone()[0]
    content = json.loads(content) if isinstance(content, str) else content
    content["use_featured"] = True
    content["featured"] = [{"pk": None, "site": site, "sort_order": i, "item_kind": kind,
                            "item_id": rid} for i, (kind, rid) in enumerate(typed)]
    cur.execute("UPDATE wagtailcore_revision SET content = %%s WHERE id = %%s",
                [json.dumps(content), rev])
"""
# After the migration: what the table and the revision name, whether Wagtail knows the product
# is used, and what a publish would send.
FEATURED_NOW = """
import json
from central.config import load_settings
from central.service import Central
from central.cms import kiosk
from central.cms.models import SiteInfo
c = Central(load_settings())
s = SiteInfo.objects.get()
def rows(o):
    return [(f.product.record_id if f.product_id else None,
             f.news.record_id if f.news_id else None) for f in o.featured.all()]
r = s.latest_revision.as_object()
from wagtail.models import ReferenceIndex
from central.cms.models import Product
used = ReferenceIndex.get_references_to(Product.objects.get(record_id="hojari")).exists()
print(json.dumps({"table": rows(s), "revision": rows(r), "problems": r.problems(), "used": used,
                  "sent": kiosk.plan(c).records["site"]["site"]["featured"]}))
"""
# Back at cms 0013: the rows' kinds and ids again, in the table and in the revision.
FEATURED_IDS_BACK = """
import json
from django.db import connection
with connection.cursor() as cur:
    cur.execute("SELECT item_kind, item_id FROM cms_sitefeatured ORDER BY sort_order")
    table = [list(r) for r in cur.fetchall()]
    cur.execute("SELECT r.content FROM wagtailcore_revision r JOIN cms_siteinfo s "
                "ON r.id = s.latest_revision_id")
    content = cur.fetchone()[0]
    content = json.loads(content) if isinstance(content, str) else content
print(json.dumps({"table": table, "revision": [[r["item_kind"], r["item_id"]]
                                               for r in content["featured"]]}))
"""


def test_featured_items_typed_as_record_ids_become_the_snippets_they_name(
        tmp_path, central_catalogue_dir, central_db):
    """The migration that gave featured items a chooser turns each row's kind and typed record
    id into its product or news item, in the table and in the site info's revision (what the
    CMS edits and publishes from); rows naming nothing are dropped. The site record kiosks get
    names the same items, Wagtail counts them as used, and the way back restores the ids."""
    home = tmp_path / "home"
    env = {**os.environ, "CENTRAL_HOME": str(home)}
    env.pop("CENTRAL_DB_URL", None)
    if central_db.url:
        env["CENTRAL_DB_URL"] = central_db.url

    def run(*args: str) -> str:
        res = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        return res.stdout

    def shell(code: str) -> dict:
        out = run("-m", "central.manage", "shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    run("-m", "central.cli", "import-demo", "--dir", str(central_catalogue_dir))
    run("-m", "central.cli", "publish")
    run("-m", "central.cli", "cms-import")
    run("-m", "central.manage", "migrate", "cms", "0013_governorates")
    typed = [("product", "hojari"), ("news", "expo"), ("product", "gone-product"),
             ("news", "khalas-dates"), ("product", "")]
    run("-m", "central.manage", "shell", "-c", TYPE_FEATURED_IDS % json.dumps(typed))
    run("-m", "central.manage", "migrate")
    after = shell(FEATURED_NOW)
    assert after["table"] == [["hojari", None], [None, "expo"]]
    assert after["revision"] == [["hojari", None], [None, "expo"]]
    assert after["problems"] == []
    # Wagtail knows the site info uses the product: its delete page refuses, as for any row
    # saved in the CMS.
    assert after["used"] is True
    assert after["sent"] == [{"kind": "product", "id": "hojari"}, {"kind": "news", "id": "expo"}]

    run("-m", "central.manage", "migrate", "cms", "0013_governorates")
    assert shell(FEATURED_IDS_BACK) == {"table": [["product", "hojari"], ["news", "expo"]],
                                        "revision": [["product", "hojari"], ["news", "expo"]]}
