"""The reading screens (news, questions, service guide, policies) in the real app, each run in its
own process under Xvfb: every record of the content is listed, an item opens to its text with
its state written out, the open item survives a language switch, long text scrolls at text
scale 2 without clipping, and reach mode keeps every control low."""

from __future__ import annotations

import pytest
from babel.dates import format_date

from tests.helpers import PX_PER_MM, last, walk_ok

ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                 "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


@pytest.fixture(scope="module")
def store(kiosk_home):
    """The content the app shows: the bundled demo catalogue, installed as the app does."""
    from kiosk.config import KioskPaths
    from kiosk.device import KioskDevice

    device = KioskDevice(KioskPaths(kiosk_home))
    device.ensure_content()
    yield device.store
    device.close()


def tap(kiosk_id: str) -> list[dict]:
    return [{"tap": kiosk_id}]


REPORT = [{"report": True}]


def page_down(times: int) -> list[dict]:
    """The Scroll down button, tapped ``times`` times (a page each, none past the end)."""
    return [{"touch_path": ["scroll.down", "scroll.down"]}] * times


def ids(report: dict, prefix: str) -> list[str]:
    return [b["id"] for b in report["buttons"] if b["id"].startswith(prefix)]


def text_of(report: dict, kiosk_id: str) -> str:
    return next(b["text"] for b in report["buttons"] if b["id"] == kiosk_id)


def texts(report: dict) -> list[str]:
    return [t["logical"] for t in report["texts"]]


def in_view(report: dict, rect: list[float]) -> bool:
    """Whether a rectangle (window coordinates) lies inside the scroll view."""
    vx, vy, vw, vh = report["scroll"]["rect"]
    x, y, w, h = rect
    return y >= vy - 0.5 and y + h <= vy + vh + 0.5


def assert_nothing_clipped(report: dict) -> None:
    width = report["window"][0]
    for t in report["texts"]:
        x, _y, w, _h = t["rect"]
        assert all(lw <= w + 0.5 for lw in t["line_widths"]), t["logical"]
        assert x >= -0.5 and x + w <= width + 0.5, t["logical"]
    for b in report["buttons"]:
        x, _y, w, h = b["rect"]
        assert x >= -0.5 and x + w <= width + 0.5, b["id"]
        assert w >= 16 * PX_PER_MM - 0.5 and h >= 16 * PX_PER_MM - 0.5, b["id"]


# -- news --------------------------------------------------------------------------------------

def test_news_lists_every_item_newest_first_with_its_date_written_in_arabic(
        display, kiosk_home, tmp_path, store):
    news = store.news()
    r = last(walk_ok(display, kiosk_home, tmp_path, "news", lang="ar"))
    assert ids(r, "news.") == [f"news.{n.id}" for n in news]
    shown = texts(r)
    for n in news:
        label = text_of(r, f"news.{n.id}")
        title, written = label.split("\n")
        assert title == n.title.ar
        assert written == format_date(n.published_on, "long", locale="ar")
        assert any(month in written for month in ARABIC_MONTHS), written
        assert not any(month in written for month in ENGLISH_MONTHS), written
        assert str(n.published_on.year) in written
        assert n.summary.ar in shown


def test_news_item_opens_with_its_picture_caption_and_body_and_back_to_where_it_was(
        display, kiosk_home, tmp_path, store):
    # The lowest item with a picture, so the list has to come back to it.
    item = [n for n in store.news() if n.image is not None][-1]
    r = walk_ok(display, kiosk_home, tmp_path, "news", lang="en", text_scale=1.5, steps=[
        *tap(f"news.{item.id}"), *REPORT, *tap("news.list")])
    opened, back = r["reports"][0], last(r)
    shown = texts(opened)
    assert item.title.en in shown
    assert f"Published on {format_date(item.published_on, 'long', locale='en_GB')}" in shown
    assert f"Picture: {item.image.alt.en}" in shown
    assert item.body.en in shown
    assert ids(opened, "news.") == ["news.list"]
    assert ids(back, "news.") == [f"news.{n.id}" for n in store.news()]
    assert back["history"][-1] == "news" and back["history"].count("news") == 1
    # Back on the list where the visitor left it: the item just read is in view.
    assert in_view(back, next(b["rect"] for b in back["buttons"]
                              if b["id"] == f"news.{item.id}"))


def test_news_body_scrolls_at_text_scale_2_in_arabic_with_nothing_clipped(
        display, kiosk_home, tmp_path, store):
    item = max(store.news(), key=lambda n: len(n.body.ar))
    r = walk_ok(display, kiosk_home, tmp_path, "news", lang="ar", text_scale=2, steps=[
        *tap(f"news.{item.id}"), *REPORT, *page_down(12)])
    top, bottom = r["reports"][0], last(r)
    assert top["scroll"]["overflows"]
    assert {"scroll.up", "scroll.down"} <= set(ids(top, "scroll."))
    assert_nothing_clipped(top)
    assert item.title.ar in texts(top)
    # Scrolled to the end, the body's last line is on screen.
    assert bottom["scroll"]["scroll_y"] == pytest.approx(0, abs=1e-3)
    body = next(t for t in bottom["texts"] if t["logical"] == item.body.ar)
    assert len(body["lines_logical"]) > 1
    assert in_view(bottom, [body["rect"][0], body["rect"][1], body["rect"][2],
                            body["line_tops"][1]])


# -- questions ---------------------------------------------------------------------------------

def test_faq_lists_every_question_and_opens_one_answer_at_a_time(display, kiosk_home,
                                                               tmp_path, store):
    faq = store.faq()
    first, second = faq[0], faq[1]
    r = walk_ok(display, kiosk_home, tmp_path, "faq", lang="en", steps=[
        *REPORT, *tap(f"faq.{second.id}"), *REPORT, *tap(f"faq.{second.id}")])
    opened_first, opened_second, closed = r["reports"]
    assert ids(opened_first, "faq.") == [f"faq.{f.id}" for f in faq]
    assert text_of(opened_first, f"faq.{first.id}") == f"{first.question.en}\nOpen"
    assert first.answer.en in texts(opened_first)
    assert text_of(opened_second, f"faq.{first.id}") == f"{first.question.en}\nClosed"
    assert text_of(opened_second, f"faq.{second.id}") == f"{second.question.en}\nOpen"
    assert second.answer.en in texts(opened_second)
    assert first.answer.en not in texts(opened_second)
    assert all(text_of(closed, f"faq.{f.id}").endswith("\nClosed") for f in faq)
    assert not {f.answer.en for f in faq} & set(texts(closed))


def test_faq_language_switch_keeps_the_open_question_open_and_in_view_in_arabic(
        display, kiosk_home, tmp_path, store):
    far = store.faq()[-1]
    r = last(walk_ok(display, kiosk_home, tmp_path, "faq", lang="en", theme="inverted", steps=[
        *tap(f"faq.{far.id}"), *tap("nav.lang")]))
    assert r["session"]["lang"] == "ar"
    assert text_of(r, f"faq.{far.id}") == f"{far.question.ar}\nمفتوح"
    assert far.answer.ar in texts(r)
    rect = next(b["rect"] for b in r["buttons"] if b["id"] == f"faq.{far.id}")
    assert in_view(r, rect)


def test_keypad_action_opens_a_question_keeps_focus_on_it_and_speaks_its_answer(
        display, kiosk_home, tmp_path, store):
    faq = store.faq()
    down, action = {"key": "down"}, {"key": "action"}
    r = walk_ok(display, kiosk_home, tmp_path, "faq", lang="en", steps=[
        down, down, action, *REPORT, down])
    opened, moved_on = r["reports"][0], last(r)
    second = faq[1]
    assert [b["id"] for b in opened["buttons"] if b["focused"]] == [f"faq.{second.id}"]
    assert text_of(opened, f"faq.{second.id}") == f"{second.question.en}\nOpen"
    assert opened["spoken"][-1] == f"{second.question.en}, Open. {second.answer.en}"
    # Focus goes on from the opened question, not from the top.
    assert [b["id"] for b in moved_on["buttons"] if b["focused"]] == [f"faq.{faq[2].id}"]


# -- service guide -----------------------------------------------------------------------------

def _numbered(report: dict, items: list[str], rtl: bool) -> None:
    """Each item is on screen with its number beside it, on the reading side."""
    by_text = {t["logical"]: t for t in report["texts"]}
    numbers = [t for t in report["texts"] if t["logical"].rstrip(".").isdigit()]
    for i, item in enumerate(items, 1):
        text = by_text[item]
        number = next(n for n in numbers if n["logical"] == f"{i}."
                      and abs((n["rect"][1] + n["rect"][3]) - (text["rect"][1] + text["rect"][3]))
                      < 1)
        if rtl:
            assert number["rect"][0] >= text["rect"][0] + text["rect"][2] - 0.5
        else:
            assert number["rect"][0] + number["rect"][2] <= text["rect"][0] + 0.5


def test_guide_lists_every_entry_and_the_mark_shows_numbered_documents_and_steps(
        display, kiosk_home, tmp_path, store):
    guide = store.guide()
    mark = next(g for g in guide if "mark" in g.id and "apply" in g.id)
    r = walk_ok(display, kiosk_home, tmp_path, "guide", lang="en", steps=[
        *REPORT, *tap("nav.lang")])
    en, ar = r["reports"][0], last(r)
    assert ids(en, "guide.") == [f"guide.{g.id}" for g in guide]
    assert text_of(en, f"guide.{mark.id}") == f"{mark.title.en}\nOpen"
    for report, lang, headings in (
            (en, "en", ("Documents you need", "Steps", "Time it takes", "Fee")),
            (ar, "ar", ("المستندات المطلوبة", "الخطوات", "المدة", "الرسوم"))):
        shown = texts(report)
        assert set(headings) <= set(shown)
        assert getattr(mark.summary, lang) in shown
        assert getattr(mark.duration, lang) in shown and getattr(mark.fee, lang) in shown
        _numbered(report, [getattr(d, lang) for d in mark.documents], rtl=lang == "ar")
        _numbered(report, [getattr(s, lang) for s in mark.steps], rtl=lang == "ar")
        assert_nothing_clipped(report)
    assert text_of(ar, f"guide.{mark.id}") == f"{mark.title.ar}\nمفتوح"


# -- policies ----------------------------------------------------------------------------------

def test_policies_say_where_the_full_text_is_and_open_each_of_the_five_in_order(
        display, kiosk_home, tmp_path, store):
    policies = store.policies()
    r = walk_ok(display, kiosk_home, tmp_path, "policies", lang="ar", theme="high_contrast",
              steps=[*REPORT, *tap("policy.open_data"), *REPORT, *tap("nav.lang"), *REPORT,
                     *tap("nav.help")])
    listed, opened, english, helped = r["reports"]
    assert ids(listed, "policy.") == ["policy.privacy", "policy.terms", "policy.accessibility",
                                      "policy.participation", "policy.open_data"]
    assert [p.id for p in policies] == ["privacy", "terms", "accessibility", "participation",
                                        "open_data"]
    shown = texts(listed)
    assert "هذه ملخصات قصيرة. النص الكامل لكل سياسة موجود على موقع البوابة:" in shown
    assert str(store.site().portal_url) in shown
    assert all(p.summary.ar in shown for p in policies)
    assert not {p.body.ar for p in policies} & set(shown)
    open_data = store.policy("open_data")
    assert text_of(opened, "policy.open_data") == f"{open_data.title.ar}\nمفتوح"
    assert open_data.body.ar in texts(opened)
    assert text_of(english, "policy.open_data") == f"{open_data.title.en}\nOpen"
    assert open_data.body.en in texts(english)
    # Help says it too, so it is also heard.
    assert helped["overlay"] == "help"
    assert any(str(store.site().portal_url) in t and t.startswith("These are short summaries.")
               for t in texts(helped))


# -- text scale 2 and reach mode ---------------------------------------------------------------

@pytest.mark.parametrize("screen,lang,theme", [("faq", "ar", "standard"),
                                               ("guide", "ar", "inverted"),
                                               ("policies", "en", "high_contrast")])
def test_at_text_scale_2_an_open_item_scrolls_to_its_end_and_nothing_is_clipped(
        display, kiosk_home, tmp_path, screen, lang, theme):
    opening = tap("policy.privacy") if screen == "policies" else []
    r = walk_ok(display, kiosk_home, tmp_path, screen, lang=lang, theme=theme, text_scale=2,
              steps=[*opening, *REPORT, *page_down(40)])
    first, end = r["reports"][0], last(r)
    assert first["scroll"]["overflows"]
    assert {"scroll.up", "scroll.down"} <= set(ids(first, "scroll."))
    assert_nothing_clipped(first)
    assert end["scroll"]["scroll_y"] == pytest.approx(0, abs=1e-3)
    bar = [b["rect"] for b in end["buttons"] if b["id"].startswith(("nav.", "scroll."))]
    content = [t for t in end["texts"] if not any(
        bx - 0.5 <= t["rect"][0] and t["rect"][1] >= by - 0.5 and
        t["rect"][1] + t["rect"][3] <= by + bh + 0.5 for bx, by, _bw, bh in bar)]
    lowest = min(content, key=lambda t: t["rect"][1])
    assert in_view(end, lowest["rect"]), lowest["logical"]


@pytest.mark.parametrize("screen", ["news", "faq", "guide", "policies"])
def test_reach_mode_keeps_every_control_in_the_lower_half(display, kiosk_home, tmp_path,
                                                         screen):
    r = last(walk_ok(display, kiosk_home, tmp_path, screen, lang="ar", reach=True))
    half = r["window"][1] / 2
    for b in r["buttons"]:
        if b["rect"][1] >= 0:  # scrolled out of view below is still below
            assert b["rect"][1] + b["rect"][3] <= half + 0.5, (screen, b["id"])
