"""The attacks of issue 10, repeated against a real central on 127.0.0.1: each must fail.

Two client addresses on one machine: every 127.x.y.z is loopback on Linux, so a client bound to
127.0.0.2 reaches the server on 127.0.0.1 from another address."""

from __future__ import annotations

import concurrent.futures
import json
import re
import stat
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.conftest import CentralServer, published_central, start_central, write_test_catalogue

PASSWORD = "correct horse battery"
OTHER_ADDRESS = "127.0.0.2"


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str | None = None) -> requests.Session:
    s = requests.Session()
    if address:
        s.mount("http://", _FromAddress(address))
    return s


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db):
    with published_central(tmp_path_factory.mktemp("attacks_home"),
                           central_catalogue_dir, db=module_central_db) as server:
        for user, role in (("amal", "admin"), ("edna", "editor"), ("ali", "analyst"),
                           ("target", "admin")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


def signed_in(central: CentralServer, user: str, address: str | None = None) -> requests.Session:
    s = session_from(address)
    r = central.sign_in(user, PASSWORD, s)
    assert r.status_code == 200 and f"Signed in as {user}" in r.text, r.text[:300]
    return s


def test_sixty_parallel_wrong_passwords_lock_only_that_address_out(central):
    def guess(i: int) -> int:
        return central.sign_in("target", f"wrong guess {i}", session_from()).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=60) as pool:
        codes = list(pool.map(guess, range(60)))
    # The lockout holds under parallel requests: five passwords were checked, no more.
    assert codes.count(401) == 5 and codes.count(429) == 55, codes
    locked = central.sign_in("target", PASSWORD, session_from())
    assert locked.status_code == 429 and "Wait five minutes" in locked.text
    # The account's owner, elsewhere, is not locked out by the attacker.
    s = session_from(OTHER_ADDRESS)
    r = central.sign_in("target", PASSWORD, s)
    assert r.status_code == 200 and "Signed in as target" in r.text


def test_sign_out_ends_the_session_on_the_server(central):
    s = signed_in(central, "amal")
    stolen = s.cookies.get("mio_staff")  # path "/": the CMS under /cms shares it
    assert stolen
    page = s.get(central.url + "/admin/", timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = s.post(central.url + "/admin/logout", data={"csrf": token}, allow_redirects=False,
               timeout=10)
    assert r.status_code == 303
    replay = requests.get(central.url + "/admin/devices", cookies={"mio_staff": stolen},
                          allow_redirects=False, timeout=10)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/admin/login")


def test_a_cross_site_sign_in_post_is_refused(central):
    # A page elsewhere posting the form: no CSRF cookie or token of ours.
    r = requests.post(central.url + "/admin/login", timeout=10,
                      data={"username": "amal", "password": PASSWORD},
                      headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert r.status_code == 403 and "mio_staff" not in r.cookies
    # Even with a token it fetched itself, a post from another origin is refused.
    s = session_from()
    form = s.get(central.url + "/admin/login", timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(central.url + "/admin/login", timeout=10, allow_redirects=False,
               data={"csrf": token, "username": "amal", "password": PASSWORD},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "mio_staff" not in r.cookies


@pytest.mark.parametrize("user", ["edna", "ali"])
def test_editors_and_analysts_get_403_on_fleet_pages(central, user):
    device = central.enroll(name="fleet secret")
    s = signed_in(central, user)
    for page in ("/admin/devices", f"/admin/devices/{device['device_id']}", "/admin/config"):
        r = s.get(central.url + page, timeout=10)
        assert r.status_code == 403, page
        assert "can not do this" in r.text and "fleet secret" not in r.text
    home = s.get(central.url + "/admin/", timeout=10).text
    assert "fleet secret" not in home and 'href="/admin/devices"' not in home


def test_open_data_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path, central_db):
    catalogue_dir = tmp_path / "catalogue"
    data = write_test_catalogue(catalogue_dir)
    products = data["records"]["product"] if "records" in data else data["product"]
    evil = {"=": '=HYPERLINK("https://evil.example","Click")', "+": "+cmd|' /C calc'!A0",
            "@": "@SUM(1+1)", "-": "-2+3 (a maker's note)"}
    first = products[0]
    first["name"]["en"] = evil["="]
    first["description"]["en"] = evil["+"]
    products[1]["description"]["en"] = evil["@"]
    first["description"]["ar"] = evil["-"]
    (catalogue_dir / "catalogue.json").write_text(json.dumps(data, ensure_ascii=False))
    with published_central(tmp_path / "home", catalogue_dir, db=central_db) as server:
        csv_text = server.get("/open-data/products.csv").text
        as_json = server.get("/open-data/products.json").json()["products"]
    assert "'=HYPERLINK(" in csv_text and ',=HYPERLINK(' not in csv_text
    assert "'+cmd" in csv_text and "'@SUM(1+1)" in csv_text and "'-2+3" in csv_text
    assert ",+cmd" not in csv_text and ",@SUM" not in csv_text
    # JSON is data, not a spreadsheet: it keeps the text as published.
    assert any(p["name_en"] == evil["="] for p in as_json)


def test_every_file_under_central_home_is_private_whatever_existed_before(
        tmp_path, central_catalogue_dir, central_db):
    home = tmp_path / "home"
    (home / "blobs" / "ab").mkdir(parents=True)
    home.chmod(0o755)
    (home / "blobs").chmod(0o755)
    (home / "notes.txt").write_text("left here by hand")
    (home / "notes.txt").chmod(0o644)
    server = start_central(home, db=central_db)
    try:
        server.cli("import-demo", "--dir", str(central_catalogue_dir))
        server.cli("publish")
        server.cli("create-staff", "amal", "--role", "admin", input=PASSWORD + "\n")
        assert server.sign_in("amal", PASSWORD).status_code == 200
    finally:
        server.stop()
    loose = []
    for path in [home, *home.rglob("*")]:
        if path.is_symlink() or path.name == "server.log":  # the test's own log
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            loose.append(f"{path.relative_to(tmp_path)} {mode:o}")
    assert not loose, loose
    if central_db.kind == "sqlite":
        assert (home / "central.sqlite3").is_file()


def test_tls_is_believed_only_from_a_configured_proxy(tmp_path, central_catalogue_dir,
                                                     central_db):
    with published_central(tmp_path / "home", central_catalogue_dir,
                           {"CENTRAL_TRUSTED_PROXIES": OTHER_ADDRESS}, db=central_db) as server:
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        proxied = session_from(OTHER_ADDRESS).get(server.url + "/admin/login", headers=https,
                                                  timeout=10)
        assert proxied.status_code == 200
        assert "secure" in proxied.headers["set-cookie"].lower()
        assert proxied.headers["strict-transport-security"].startswith("max-age=")
        # Anyone else saying the same is not believed.
        direct = session_from().get(server.url + "/admin/login", headers=https, timeout=10)
        assert direct.status_code == 200
        assert "secure" not in direct.headers["set-cookie"].lower()
        assert "strict-transport-security" not in direct.headers
