"""Shared fixtures. ``central_server`` is a real `kiosk-central serve` in a subprocess over a
temporary $CENTRAL_HOME, with a small test catalogue imported and published as version 1;
other test files (kiosk sync, admin) reuse it.

Every test that starts a real central runs on each database central supports: SQLite in its
home and PostgreSQL in a throwaway cluster (tests/pg.py), a fresh database per test or per
module's server. ``pytest --central-db=sqlite|postgresql|both`` (default both) chooses; the
database is a required argument of ``start_central`` and ``published_central``, so no test
runs on one only without saying so."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import pg

pytest.register_assert_rewrite("tests.helpers")
from tests.helpers import ROOT as REPO  # noqa: E402 - after the assertion rewrite is registered

# A central on an empty PostgreSQL database applies Wagtail's and its own ~150 migrations before
# it answers (some 15 s of CPU alone); on a loaded 2-CPU machine that took over 30 s. A limit
# to catch a central that hangs, not a measure of its speed (bench/ measures that).
STARTUP_DEADLINE_S = 120.0
HTTP_TIMEOUT_S = 10.0


# ---------------------------------------------------------------------------------------------
# A small catalogue with a few records of every kind


def _bi(en: str, ar: str) -> dict:
    return {"en": en, "ar": ar}


def write_test_catalogue(root: Path) -> dict[str, Any]:
    """Write catalogue.json + media/<sha256>.png under ``root``; returns the catalogue JSON."""
    from central.content import make_png
    from kiosk import protocol

    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    images = []
    for rgb in ((200, 30, 30), (30, 120, 200)):
        png = make_png(32, 20, rgb, stripe=3)
        h = protocol.sha256_hex(png)
        (media / f"{h}.png").write_bytes(png)
        images.append(h)
    cat = {
        "schema": 1,
        "site": [{
            "id": "site", "portal_name": _bi("Made in Oman", "صنع في عمان"),
            "call_centre": "80000070", "portal_url": "https://madeinoman.example",
            "timezone": "Asia/Muscat",
            "office_hours": [{"days": ["sun", "mon", "tue", "wed", "thu"],
                              "opens": "07:30", "closes": "14:30"}],
            "address": _bi("Muscat, Oman", "مسقط، عُمان"),
            "open_data_licence": _bi("Open data, free to reuse with attribution",
                                     "بيانات مفتوحة، يمكن إعادة استخدامها مع ذكر المصدر"),
        }],
        "governorate": [
            {"id": "muscat", "name": _bi("Muscat", "مسقط"), "order": 1},
            {"id": "dhofar", "name": _bi("Dhofar", "ظفار"), "order": 2},
        ],
        "category": [
            {"id": "dates", "name": _bi("Dates", "تمور"), "order": 1,
             "description": _bi("Omani dates", "تمور عمانية"),
             "image": {"blob": images[0], "alt": _bi("A bowl of dates", "طبق تمر")}},
            {"id": "frankincense", "name": _bi("Frankincense", "لبان"), "order": 2,
             "description": _bi("Resin from Dhofar", "لبان ظفاري")},
        ],
        "certification": [
            {"id": "mio-mark", "name": _bi("Made in Oman mark", "علامة صنع في عمان"),
             "description": _bi("Certified Omani product", "منتج عماني معتمد")},
        ],
        "manufacturer": [
            {"id": "nakheel", "name": _bi("Nakheel Farms", "مزارع النخيل"),
             "governorate": "ad_dakhiliyah",
             "description": _bi("A date farm in Nizwa.", "مزرعة تمور في نزوى."),
             "website": "https://nakheel.example"},
            {"id": "luban", "name": _bi("Luban House", "بيت اللبان"), "governorate": "dhofar",
             "description": _bi("Frankincense traders.", "تجار لبان.")},
        ],
        "product": [
            {"id": "khalas-dates", "code": "MIO-001", "name": _bi("Khalas dates", "تمر خلاص"),
             "description": _bi('Soft dates, "premium", from Nizwa,\nhand picked.',
                                "تمر طري من نزوى، مقطوف باليد."),
             "category_id": "dates", "manufacturer_id": "nakheel",
             "governorate": "ad_dakhiliyah",
             "images": [{"blob": images[0], "alt": _bi("Khalas dates", "تمر خلاص")}],
             "certifications": ["mio-mark"],
             "where_to_buy": [{"name": _bi("Nizwa souq", "سوق نزوى"),
                               "address": _bi("Nizwa", "نزوى"), "phone": "+968 2441 0000"}],
             "portal_url": "https://madeinoman.example/products/khalas"},
            {"id": "hojari", "code": "MIO-002", "name": _bi("Hojari frankincense", "لبان حوجري"),
             "description": _bi("The finest grade.", "أجود الأنواع."),
             "category_id": "frankincense", "manufacturer_id": "luban", "governorate": "dhofar",
             "images": [{"blob": images[1], "alt": _bi("Resin", "لبان")}],
             "portal_url": "https://madeinoman.example/products/hojari"},
            {"id": "date-syrup", "code": "MIO-003", "name": _bi("Date syrup", "دبس التمر"),
             "description": _bi("Pure date syrup.", "دبس تمر نقي."),
             "category_id": "dates", "manufacturer_id": "nakheel", "governorate": "muscat",
             "portal_url": "https://madeinoman.example/products/syrup"},
        ],
        "news": [
            {"id": "expo", "title": _bi("Expo opens", "افتتاح المعرض"),
             "summary": _bi("Omani makers meet", "لقاء الصناع"),
             "body": _bi("The expo opens on Sunday.", "يفتتح المعرض يوم الأحد."),
             "published_on": "2026-10-01"},
        ],
        "faq": [
            {"id": "what-is-mark", "order": 1,
             "question": _bi("What is the mark?", "ما هي العلامة؟"),
             "answer": _bi("A sign of Omani origin.", "علامة المنشأ العماني.")},
        ],
        "guide": [
            {"id": "apply-mark", "order": 1, "title": _bi("Apply for the mark", "طلب العلامة"),
             "summary": _bi("How to apply.", "كيفية التقديم."),
             "documents": [_bi("Commercial register", "السجل التجاري")],
             "steps": [_bi("Fill the form", "املأ النموذج")],
             "duration": _bi("Ten working days", "عشرة أيام عمل"), "duration_days": 10,
             "fee": _bi("Free", "مجاناً")},
        ],
        "policy": [
            {"id": "privacy", "order": 1, "title": _bi("Privacy", "الخصوصية"),
             "summary": _bi("We keep little.", "نحتفظ بالقليل."),
             "body": _bi("No personal data unless offered.", "لا بيانات شخصية إلا إذا قدمتها.")},
        ],
        "poll": [
            {"id": "favourite", "question": _bi("Your favourite product?", "منتجك المفضل؟"),
             "options": [{"id": "dates", "label": _bi("Dates", "تمور")},
                         {"id": "incense", "label": _bi("Frankincense", "لبان")},
                         {"id": "halwa", "label": _bi("Halwa", "حلوى")}],
             "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"},
        ],
        "survey": [
            {"id": "satisfaction", "title": _bi("Satisfaction", "الرضا"),
             "intro": _bi("Two questions", "سؤالان"),
             "questions": [{"id": "overall", "text": _bi("How was it?", "كيف كانت؟"),
                            "kind": "rating", "required": True,
                            "choices": [{"id": str(i), "label": _bi(str(i), str(i))}
                                        for i in range(1, 6)]}]},
        ],
    }
    (root / "catalogue.json").write_text(json.dumps(cat, ensure_ascii=False), "utf-8")
    from offline_cache.catalogue_dir import load_catalogue_dir

    load_catalogue_dir(root)  # the fixture itself must be valid
    return cat


# ---------------------------------------------------------------------------------------------
# A virtual display for the UI tests (each UI app runs in its own process on it); what the UI
# tests share besides fixtures is in tests/helpers.py


@pytest.fixture(scope="session")
def display() -> str:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (scripts/system-deps installs it); the UI tests "
                    "need a display")
    from screens.xvfb import shared_display

    return shared_display()


@pytest.fixture(scope="session")
def kiosk_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One $KIOSK_HOME for the UI tests that only read the content (the bundled demo
    catalogue, installed by the first app that starts on it) and its prompt cache."""
    return tmp_path_factory.mktemp("kiosk-home")


# ---------------------------------------------------------------------------------------------
# Central's database: SQLite, PostgreSQL or both, one fresh database per test


CENTRAL_DBS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--central-db", choices=(*CENTRAL_DBS, "both"), default="both",
        help="the database(s) every test that starts a real central runs on: sqlite, "
             "postgresql (a throwaway cluster; scripts/system-deps installs PostgreSQL) or both "
             "(default)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "central_db_only(kind): a test of what one database does (postgresql, "
                   "sqlite); it runs when --central-db includes that database")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "central_db_kind" in metafunc.fixturenames:
        choice = metafunc.config.getoption("central_db")
        kinds = CENTRAL_DBS if choice == "both" else (choice,)
        only = metafunc.definition.get_closest_marker("central_db_only")
        if only:
            kinds = tuple(k for k in kinds if k in only.args)
            if not kinds:
                kinds = tuple(pytest.param(k, marks=pytest.mark.skip(
                    reason=f"a test of {k} only, which --central-db={choice} leaves out"))
                    for k in only.args)
        # Session scope: pytest groups the tests by database, so module-scoped servers are
        # started once per database.
        metafunc.parametrize("central_db_kind", kinds, indirect=True, scope="session")


@pytest.fixture(scope="session")
def central_db_kind(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql": the database this test's central runs on."""
    return request.param


@dataclass(frozen=True)
class CentralDB:
    """The database a central runs on: ``url`` None is SQLite in its $CENTRAL_HOME."""
    kind: str
    url: str | None = None


SQLITE = CentralDB("sqlite")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    """One PostgreSQL cluster for the session, started the first time a test needs it."""
    try:
        cluster = pg.Cluster.start(free_port())
    except pg.PostgresUnavailable as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@contextmanager
def fresh_db(request: pytest.FixtureRequest, kind: str) -> Iterator[CentralDB]:
    """A new database of ``kind``, dropped afterwards (SQLite: the one central makes in the
    fresh home each test gives it)."""
    if kind == "sqlite":
        yield SQLITE
        return
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    with cluster.database(migrated=True) as url:  # central's schema already there
        yield CentralDB("postgresql", url)


@pytest.fixture
def central_db(request: pytest.FixtureRequest, central_db_kind: str) -> Iterator[CentralDB]:
    """A fresh database for this test's central, on each database chosen."""
    with fresh_db(request, central_db_kind) as db:
        yield db


@pytest.fixture(scope="module")
def module_central_db(request: pytest.FixtureRequest, central_db_kind: str
                      ) -> Iterator[CentralDB]:
    """A fresh database for a test module's own central."""
    with fresh_db(request, central_db_kind) as db:
        yield db


def central_settings(home: Path, db: CentralDB) -> Any:
    """central's settings for ``home`` on ``db``, for tests that use the service in-process."""
    from central.config import load_settings

    return load_settings(home=home, db_url=db.url)


# ---------------------------------------------------------------------------------------------
# A real central server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class CentralServer:
    url: str
    home: Path
    env: dict[str, str]
    proc: subprocess.Popen
    log_path: Path
    db: CentralDB = SQLITE
    http: requests.Session = field(default_factory=requests.Session)

    def cli(self, *args: str, input: str | None = None, check: bool = True
            ) -> subprocess.CompletedProcess:
        """Run `kiosk-central ARGS` against this server's $CENTRAL_HOME."""
        res = subprocess.run([sys.executable, "-m", "central.cli", *args], cwd=REPO,
                             env=self.env, input=input, capture_output=True, text=True,
                             timeout=300)
        if check and res.returncode != 0:
            raise AssertionError(f"kiosk-central {' '.join(args)} failed: {res.stderr.strip()}")
        return res

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=HTTP_TIMEOUT_S, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.http.post(self.url + path, timeout=HTTP_TIMEOUT_S, **kw)

    def enroll(self, name: str = "test kiosk", location: str | None = None) -> dict:
        """A fresh device: enrolment code from the CLI, then POST /api/v1/enroll."""
        code = self.cli("enrollment-code").stdout.strip()
        r = self.post("/api/v1/enroll", json={"code": code, "name": name,
                                               **({"location": location} if location else {})})
        assert r.status_code == 200, r.text
        return r.json()

    def sign_in(self, user: str, password: str, session: requests.Session | None = None,
                **kw: Any) -> requests.Response:
        """The staff sign-in as a browser does it: the form (and its CSRF token), then the
        post. ``session`` keeps the cookies; the answer to the post is returned."""
        http = session if session is not None else requests.Session()
        form = http.get(self.url + "/admin/login", timeout=HTTP_TIMEOUT_S)
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token, "the sign-in form has no CSRF token"
        return http.post(self.url + "/admin/login", timeout=HTTP_TIMEOUT_S,
                         data={"csrf": token.group(1), "username": user, "password": password,
                               "next": "/admin/"}, **kw)

    @staticmethod
    def auth(device: dict | str) -> dict[str, str]:
        token = device if isinstance(device, str) else device["device_token"]
        return {"Authorization": f"Bearer {token}"}

    def service(self) -> Any:
        """The service layer in this process, on the same home and database."""
        from central.service import Central

        return Central(central_settings(self.home, self.db))

    def stored_bytes(self) -> bytes:
        """Everything central's database holds, as bytes to search: SQLite's files (the WAL
        too), or a PostgreSQL dump of the data."""
        if self.db.url is None:
            return b"".join(f.read_bytes() for f in sorted(self.home.glob("central.sqlite3*")))
        dump = pg.server_bin("pg_dump")
        assert dump, pg.MISSING
        libpq = self.db.url.replace("postgresql+psycopg://", "postgresql://", 1)
        return subprocess.run([dump, "--data-only", "--dbname", libpq], check=True,
                              capture_output=True, timeout=120).stdout

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.http.close()


def start_central(home: Path, extra_env: dict[str, str] | None = None, *,
                  db: CentralDB, workers: int = 1) -> CentralServer:
    """Start `kiosk-central serve` on a free port and wait until /healthz answers.
    ``db`` (from the ``central_db`` fixtures; also used by ``.cli``): SQLite in ``home``, or
    the PostgreSQL database at its URL."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CENTRAL_HOME": str(home), **(extra_env or {})}
    env.pop("CENTRAL_DB_URL", None)
    if db.url:
        env["CENTRAL_DB_URL"] = db.url
    port = free_port()
    log_path = home / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--workers", str(workers)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    server = CentralServer(f"http://127.0.0.1:{port}", home, env, proc, log_path, db)
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"central exited at startup:\n{log_path.read_text()[-2000:]}")
        try:
            if requests.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"central did not answer within {STARTUP_DEADLINE_S} s:\n"
                               f"{log_path.read_text()[-2000:]}")
        time.sleep(0.05)  # polling interval while waiting for the port, not a fixed wait


@pytest.fixture(scope="session")
def central_catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalogue")
    write_test_catalogue(root)
    return root


@contextmanager
def published_central(home: Path, catalogue_dir: Path,
                      extra_env: dict[str, str] | None = None, *,
                      db: CentralDB) -> Iterator[CentralServer]:
    """A live central on ``home`` and ``db`` with the catalogue in ``catalogue_dir``
    published. Test modules that publish, revoke or otherwise change central take one of their
    own (on ``module_central_db``)."""
    server = start_central(home, extra_env, db=db)
    try:
        server.cli("import-demo", "--dir", str(catalogue_dir))
        server.cli("publish")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def central_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   central_catalogue_dir: Path, central_db_kind: str) -> CentralServer:
    """A live central with the test catalogue published (version 1 at start), one per
    database."""
    with fresh_db(request, central_db_kind) as db, published_central(
            tmp_path_factory.mktemp("central_home"), central_catalogue_dir, db=db) as server:
        yield server


@pytest.fixture
def central_device(central_server: CentralServer) -> dict:
    """A freshly enrolled kiosk on ``central_server`` (EnrollResponse JSON)."""
    return central_server.enroll()
