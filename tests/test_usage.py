"""Anonymous use counts (issue 13.7): the kiosk counts visits, languages, screens opened,
searches that found nothing and settings used, per day and nothing about one visitor; its
heartbeat carries each day's totals; central keeps them (a day sent again replaces itself) and
staff see them as bars and CSV on /admin/usage."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from kiosk.session import SiteDefaults, VisitorSession
from kiosk.usage import KEEP_DAYS, UsageBook
from tests.conftest import CentralDB, CentralServer, published_central
from tests.fleet_kiosk import provision
from tests.helpers import walk_ok

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


# -- the kiosk's book -----------------------------------------------------------------------


def test_a_visit_counts_each_setting_and_language_once_and_screens_every_time(tmp_path):
    book = UsageBook(tmp_path / "usage.json", now=Clock(datetime(2026, 12, 3, 8, tzinfo=UTC)))
    s = VisitorSession(defaults=SiteDefaults())
    s.start("en")
    book.visit_started(s.lang)
    for name in ("home", "search", "home", "product"):
        book.screen_opened(name)
    s.set_text_scale(1.5)
    book.settings_seen(s, s.defaults)
    book.settings_seen(s, s.defaults)  # the same value again: once a visit
    s.set_theme("high_contrast")
    s.set_lang("ar")
    book.settings_seen(s, s.defaults)
    book.visit_ended()
    s.reset()
    s.start("en")
    book.visit_started("en")
    s.set_text_scale(1.5)
    book.settings_seen(s, s.defaults)  # a new visit counts it again
    day = book.days()["2026-12-03"]
    assert day == {"visits": 2, "lang.en": 2, "lang.ar": 1, "screen.home": 2,
                   "screen.search": 1, "screen.product": 1, "setting.text_scale.1_5": 2,
                   "setting.theme.high_contrast": 1}


def test_searches_that_found_nothing_count_once_per_fruitless_run(tmp_path):
    book = UsageBook(tmp_path / "usage.json")
    for query, found in (("h", 9), ("ho", 3), ("hox", 0), ("hoxq", 0), ("ho", 3), ("hoz", 0),
                         ("", 0), ("zz", 0)):
        book.search_result(query, found)
    assert book.days()[book.today()]["search.empty"] == 3


def test_days_are_muscat_days_and_an_ended_day_goes_once_central_took_it(tmp_path):
    clock = Clock(datetime(2026, 12, 2, 19, 30, tzinfo=UTC))  # 23:30 in Muscat
    book = UsageBook(tmp_path / "usage.json", now=clock)
    book.count("visits")
    clock.at += timedelta(hours=1)  # 00:30 on the 3rd in Muscat
    book.count("visits", 2)
    assert book.days() == {"2026-12-02": {"visits": 1}, "2026-12-03": {"visits": 2}}
    sent = book.unreported()
    book.count("visits")  # counted while the heartbeat was on its way
    book.reported(sent)
    assert book.days() == {"2026-12-03": {"visits": 3}}  # today stays, to be sent again
    again = UsageBook(tmp_path / "usage.json", now=clock)  # kept across a restart
    assert again.days() == {"2026-12-03": {"visits": 3}}
    assert (tmp_path / "usage.json").stat().st_mode & 0o777 == 0o600


def test_the_book_is_bounded_and_refuses_names_that_are_not_names(tmp_path):
    clock = Clock(datetime(2026, 11, 1, 8, tzinfo=UTC))
    book = UsageBook(tmp_path / "usage.json", now=clock)
    for _ in range(KEEP_DAYS + 5):
        book.count("visits")
        clock.at += timedelta(days=1)
    assert len(book.days()) == KEEP_DAYS
    with pytest.raises(ValueError, match="lower-case words"):
        book.count("Screen Opened")
    (tmp_path / "bad.json").write_text('{"days": {"2026-12-01": {"visits": "x", "OK": 3, '
                                       '"lang.ar": 2}, "never": {"visits": 1}}}')
    assert UsageBook(tmp_path / "bad.json", now=clock).days() == {"2026-12-01": {"lang.ar": 2}}


def test_nothing_is_counted_outside_the_visitor_app(tmp_path):
    book = UsageBook(tmp_path / "usage.json", counting=False)
    book.visit_started("ar")
    book.screen_opened("home")
    assert book.days() == {}


# -- a real visit, counted by the running app ---------------------------------------------------


def test_a_walked_visit_is_counted_and_kept_for_the_heartbeat(display, tmp_path):
    kiosk_home = tmp_path / "home"  # a new kiosk: its first visit, on its first boot
    walk_ok(display, kiosk_home, tmp_path, None, [
        {"tap": "lang.en"}, {"expect_screen": "home"},
        {"tap": "nav.text_size"},
        {"tap": "home.search"}, {"expect_screen": "search"},
        {"type": "xqzv"}, {"expect_text": "No products match what you typed."},
        {"tap": "nav.home"}, {"expect_screen": "home"}])
    days = json.loads((kiosk_home / "usage.json").read_text())["days"]
    (counts,) = days.values()
    assert counts["visits"] == 1 and counts["lang.en"] == 1
    assert counts["screen.home"] == 2 and counts["screen.search"] == 1
    assert counts["setting.text_scale.1_5"] == 1
    assert counts["search.empty"] == 1
    # Nothing about the visitor: no text typed, no time of a tap.
    assert "xqzv" not in (kiosk_home / "usage.json").read_text()


# -- central ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("usage_home"), central_catalogue_dir,
                           db=module_central_db) as server:
        for user, role in (("ali", "analyst"), ("edna", "editor")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        yield server


def signed_in(central: CentralServer, user: str) -> requests.Session:
    s = requests.Session()
    assert central.sign_in(user, PASSWORD, s).status_code == 200
    return s


def bars(html: str, chart: str) -> dict[str, int]:
    table = re.search(rf'<table class="chart" id="chart-{chart}">(.*?)</table>', html, re.S)
    assert table, f"no {chart} chart on the page"
    return {k: int(n.replace(",", "")) for k, n in re.findall(
        r'<tr data-key="([^"]+)">.*?<td>([\d,]+)</td>', table.group(1), re.S)}


def test_heartbeats_carry_the_counts_and_staff_see_them(central, tmp_path):
    dev = provision(central, tmp_path / "kiosk", location="Muscat Grand Mall")
    today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Muscat")).date()
    book = dev.usage
    book.counting = True
    book.visit_started("ar")
    book.visit_started("en")
    book.screen_opened("product")
    book.search_result("zzz", 0)
    dev.heartbeat()
    book.screen_opened("product")  # today's totals grow: sent again, they replace
    dev.heartbeat()
    dev.heartbeat()  # the same totals once more: nothing counted twice

    ali = signed_in(central, "ali")
    r = ali.get(central.url + f"/admin/usage?from={today}&to={today}", timeout=10)
    assert r.status_code == 200
    assert bars(r.text, "visits") == {today.isoformat(): 2}
    assert bars(r.text, "languages") == {"lang.ar": 1, "lang.en": 1}
    assert bars(r.text, "screens") == {"screen.product": 2}
    assert bars(r.text, "searches") == {"search.empty": 1}

    r = ali.get(central.url + "/admin/usage?location=Muscat%20Grand%20Mall&format=csv",
                timeout=10)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {"location": "Muscat Grand Mall", "day": today.isoformat(), "name": "visits",
            "count": "2"} in rows

    html = ali.get(central.url + "/admin/usage", timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    ali.post(central.url + "/admin/language", timeout=10,
             data={"lang": "ar", "next": "/admin/usage", "csrf": token})
    ar = ali.get(central.url + "/admin/usage", timeout=10).text
    assert "استخدام الأكشاك" in ar and "الزيارات في كل يوم" in ar


def test_only_analysts_and_admins_see_the_counts(central):
    r = signed_in(central, "edna").get(central.url + "/admin/usage", timeout=10)
    assert r.status_code == 403
    r = requests.get(central.url + "/admin/usage", allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303) and "/admin/login" in r.headers["Location"]


def test_counts_out_of_range_or_for_wrong_days_are_refused_or_left_out(central):
    dev = central.enroll()
    base = {"app_version": "0.1.0", "content_version": 1, "content_source": "central",
            "stale": False, "outbox_pending": 0, "outbox_dead": 0, "uptime_s": 5}
    for usage in ([{"day": "2026-12-03", "counts": {"Bad key": 1}}],
                  [{"day": "2026-12-03", "counts": {"visits": -1}}],
                  [{"day": "2026-12-03", "counts": {f"screen.s{i}": 1 for i in range(301)}}],
                  [{"day": "2026-12-03", "counts": {}}] * 9):
        r = central.post("/api/v1/heartbeat", json={**base, "usage": usage},
                         headers=central.auth(dev))
        assert r.status_code == 422, (usage, r.text[:300])
    # A kiosk whose clock says 2099: answered, but the day is not stored.
    r = central.post("/api/v1/heartbeat", headers=central.auth(dev),
                     json={**base, "usage": [{"day": "2099-01-01", "counts": {"visits": 5}}]})
    assert r.status_code == 200
    page = signed_in(central, "ali").get(central.url + "/admin/usage?from=2099-01-01",
                                         timeout=10).text
    assert "chart-visits" not in page and "Nothing counted in this period." in page
