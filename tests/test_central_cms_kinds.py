"""The CMS's other kinds (news, FAQ, service guide, policies, polls, the survey, site info),
through real HTTP against a live central as tests/test_central_cms.py does for products: an
editor makes each one, incomplete first (its page and a submit list what is missing, in the
form's words), then complete; a publisher approves it; Publish to kiosks lists it under its
kind and publishes; a real kiosk syncs and has it. Retiring (unpublishing) a snippet takes it
out of the next release, and the kiosk loses it."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path

import pytest

from kiosk.config import KioskPaths
from kiosk.device import KioskDevice
from tests.conftest import CentralDB, published_central
from tests.test_central_cms import (
    PASSWORD,
    _cell,
    form_fields,
    get,
    post,
    released_catalogue,
    sign_in,
)
from tests.test_central_feedback import act, now_z, send


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("cms_kinds_home"), central_catalogue_dir,
                           db=module_central_db) as server:
        for user, role in (("edna", "editor"), ("pat", "publisher"), ("amal", "analyst")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        out = server.cli("cms-import").stdout
        assert ("1 news, 1 faq, 1 guide, 1 policy, 1 poll, 1 survey, 1 site" in out), out
        yield server


def rows(prefix: str, items: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    """An inline panel's rows as the browser posts them (Django's formset fields)."""
    out = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": str(initial),
           f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, item in enumerate(items):
        out.update({f"{prefix}-{i}-id": "", f"{prefix}-{i}-ORDER": str(i + 1),
                    f"{prefix}-{i}-DELETE": ""})
        out.update({f"{prefix}-{i}-{k}": v for k, v in item.items()})
    return out


def choose(s, central, model: str, text: str) -> str:
    """Pick a snippet in the CMS's chooser as staff do: search the chooser's list for
    ``text`` and take the row showing it. Returns what the chooser puts in the form."""
    r = get(s, central, f"/cms/snippets/choose/cms/{model}/results/", params={"q": text})
    assert r.status_code == 200, r.text[:500]
    m = re.search(rf'href="(/cms/snippets/choose/cms/{model}/chosen/\d+/)"[^>]*>\s*'
                  rf'(?:<[^>]+>\s*)*{re.escape(text)}', html.unescape(r.text))
    assert m, f"the {model} chooser lists no {text!r}: {r.text[:1500]}"
    chosen = get(s, central, m.group(1)).json()
    assert chosen["step"] == "chosen" and chosen["result"]["string"] == text, chosen
    return str(chosen["result"]["id"])


# Each kind: its form's values, the field left out of the first draft, the sentence that says
# so, and how its record must look on the kiosk.
NEW = {
    "news": dict(
        record_id="cms-news", published_on="2026-12-01",
        title_ar="معرض جديد للحرفيين", title_en="A new crafts fair",
        summary_ar="يلتقي الحرفيون في مسقط.", summary_en="Craftspeople meet in Muscat.",
        body_ar="يقام المعرض في ديسمبر.", body_en="The fair takes place in December."),
    "faq": dict(
        record_id="cms-faq", order="5", question_ar="هل الجهاز مجاني؟",
        question_en="Is the kiosk free?", answer_ar="نعم، كل ما فيه مجاني.",
        answer_en="Yes, everything on it is free."),
    "guideentry": dict(
        record_id="cms-guide", order="20", title_ar="تجديد العلامة", title_en="Renew the mark",
        summary_ar="جدد العلامة كل ثلاث سنوات.", summary_en="Renew the mark every three years.",
        duration_ar="خمسة أيام عمل", duration_en="Five working days", duration_days="5",
        fee_ar="دون رسوم", fee_en="Free of charge",
        **rows("documents", [{"text_ar": "شهادة العلامة", "text_en": "The mark's certificate"}]),
        **rows("steps", [{"text_ar": "افتح الطلب.", "text_en": "Open the application."},
                         {"text_ar": "أرسل الطلب.", "text_en": "Send it."}])),
    "policy": dict(
        record_id="terms", order="20", title_ar="شروط الاستخدام", title_en="Terms of use",
        summary_ar="استخدم الجهاز بلطف.", summary_en="Use the kiosk kindly.",
        body_ar="هذه شروط استخدام الجهاز.", body_en="These are the kiosk's terms of use."),
    "poll": dict(
        record_id="cms-poll", question_ar="ما أفضل وقت للزيارة؟",
        question_en="When is the best time to visit?",
        opens_at="2026-12-01 08:00", closes_at="2027-01-31 20:00",
        **rows("options", [{"option_id": "morning", "label_ar": "الصباح",
                            "label_en": "Morning"},
                           {"option_id": "evening", "label_ar": "المساء",
                            "label_en": "Evening"}])),
    "survey": dict(
        record_id="cms-survey", title_ar="رأيك في الأخبار", title_en="Your view of the news",
        intro_ar="سؤال واحد.", intro_en="One question.",
        **rows("questions", [{"question_id": "useful", "question_kind": "rating",
                              "required": "on", "text_ar": "هل الأخبار مفيدة؟",
                              "text_en": "Is the news useful?"}]),
        **rows("questions-0-choices", [
            {"choice_id": "no", "label_ar": "لا", "label_en": "No"},
            {"choice_id": "somewhat", "label_ar": "قليلا", "label_en": "Somewhat"},
            {"choice_id": "yes", "label_ar": "نعم", "label_en": "Yes"}])),
}
LEFT_OUT = {"news": ("title_en", "Title (English) is missing"),
            "faq": ("answer_ar", "Answer (Arabic) is missing"),
            "guideentry": ("steps-1-text_en", "Step (English) (2) is missing"),
            "policy": ("summary_ar", "Summary (Arabic) is missing"),
            "poll": ("options-1-label_ar", "Option (Arabic) (2) is missing"),
            "survey": ("questions-0-choices-2-label_en", "Answer (English) (1, 3) is missing")}
KIND = {"news": "news", "faq": "faq", "guideentry": "guide", "policy": "policy", "poll": "poll",
        "survey": "survey", "siteinfo": "site"}


def draft_then_submit(editor, central, url: str, values: dict, left_out: str, sentence: str,
                      base: dict | None = None) -> str:
    """Save ``values`` without ``left_out`` (a draft may be incomplete; its page says what is
    missing), try to submit (refused with the same sentence), then complete and submit. The
    page's form is posted back as a browser would. Returns the snippet's edit address."""
    fields = base if base is not None else form_fields(get(editor, central, url).text)
    fields.update(values)
    fields[left_out] = ""
    r = post(editor, central, url, data=fields)
    assert r.status_code == 200 and ("created" in r.text or "saved" in r.text), r.text[:1500]
    assert "Missing before this can be published" in r.text and sentence in r.text, \
        re.findall(r'<ul class="cms-missing">.*?</ul>', r.text, re.S)
    edit_url = re.search(r'action="(/cms/snippets/cms/\w+/edit/\d+/)"', r.text).group(1)
    fields = {**form_fields(r.text), "action-submit": "submit"}
    r = post(editor, central, edit_url, data=fields)
    assert r.status_code == 200 and sentence in r.text and "submitted" not in r.text
    fields = {**form_fields(r.text), left_out: values[left_out], "action-submit": "submit"}
    r = post(editor, central, edit_url, data=fields)
    assert r.status_code == 200 and "submitted for moderation" in r.text, \
        re.findall(r'<ul class="cms-missing">.*?</ul>|class="error-message".*?</', r.text,
                   re.S)[:5] or r.text[:1500]
    return edit_url


def approve(publisher, central, model: str, pk: str) -> None:
    dash = get(publisher, central, "/cms/").text
    m = re.search(rf'(/cms/snippets/cms/{model}/workflow/action/{pk}/approve/\d+/)', dash)
    assert m, f"the dashboard offers no approval for {model} {pk}"
    token = publisher.cookies.get("mio_csrf", "")
    r = post(publisher, central, m.group(1), data={"csrfmiddlewaretoken": token, "comment": ""},
             headers={"X-CSRFToken": token, "Referer": central.url + "/cms/"})
    assert r.status_code == 200, r.text[:500]


def publish(publisher, central) -> tuple[str, int]:
    """Publish to kiosks: returns the page shown before (the diff) and the version made."""
    page = get(publisher, central, "/cms/kiosks/publish/").text
    assert "Publishing is not possible" not in page, re.findall(
        r'<ul class="cms-problems">.*?</ul>', page, re.S)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)
    token = form_fields(page, None)["csrfmiddlewaretoken"]
    r = post(publisher, central, "/cms/kiosks/publish/",
             data={"csrfmiddlewaretoken": token, "fingerprint": fingerprint})
    m = re.search(r"Version (\d+) is published", r.text)
    assert r.status_code == 200 and m, r.text[:1000]
    return page, int(m.group(1))


def synced_kiosk(central, home: Path, version: int) -> KioskDevice:
    dev = KioskDevice(KioskPaths(home))
    if not dev.paths.credentials.exists():
        dev.provision(central.url, central.cli("enrollment-code").stdout.strip(),
                      name="cms kinds kiosk")
    result = dev.sync()
    assert result.outcome in ("updated", "unchanged"), result
    assert dev.store.active_version() == version
    return dev


def test_every_kind_is_made_in_the_cms_approved_published_and_synced(central, tmp_path):
    editor, publisher = sign_in(central, "edna"), sign_in(central, "pat")
    made = {}
    for model, values in NEW.items():
        left_out, sentence = LEFT_OUT[model]
        edit_url = draft_then_submit(editor, central, f"/cms/snippets/cms/{model}/add/",
                                     values, left_out, sentence)
        made[model] = edit_url.rstrip("/").rsplit("/", 1)[1]

    # Site info: there is one; the editor changes the call centre, adds a holiday and chooses
    # what the idle screen features (the imported product, then the new news item).
    listing = get(editor, central, "/cms/snippets/cms/siteinfo/").text
    site_url = re.search(r'href="(/cms/snippets/cms/siteinfo/edit/\d+/)"', listing).group(1)
    base = form_fields(get(editor, central, site_url).text)
    assert base["holidays-TOTAL_FORMS"] == "0" and base["office_hours-TOTAL_FORMS"] == "1"
    site_values = {
        "call_centre": "80077777", "use_featured": "on",
        **rows("holidays", [{"date": "2027-11-18", "name_ar": "العيد الوطني",
                             "name_en": "National Day"}]),
        **rows("featured", [
            {"product": choose(editor, central, "product", "Khalas dates"), "news": ""},
            {"product": "", "news": choose(editor, central, "news", "A new crafts fair")}])}
    draft_then_submit(editor, central, site_url, site_values, "holidays-0-name_en",
                      "Holiday: name (English) (1) is missing", base=base)
    made["siteinfo"] = site_url.rstrip("/").rsplit("/", 1)[1]

    # Nothing is sent before a publisher approves.
    page = get(publisher, central, "/cms/kiosks/publish/").text
    held = page.split("Not sent: drafts not yet approved", 1)[1]
    assert "A new crafts fair" in held and "Is the kiosk free?" in held
    for model, pk in made.items():
        approve(publisher, central, model, pk)

    page, version = publish(publisher, central)
    assert "Not sent: drafts not yet approved" not in page
    for model, values in NEW.items():
        assert values["record_id"] in _cell(page, KIND[model], "added"), model
    assert "site" in _cell(page, "site", "changed")

    dev = synced_kiosk(central, tmp_path / "kiosk", version)
    store = dev.store
    news = store.record("news", "cms-news")
    assert news.title.ar == "معرض جديد للحرفيين" and str(news.published_on) == "2026-12-01"
    assert store.record("faq", "cms-faq").answer.en == "Yes, everything on it is free."
    guide = store.record("guide", "cms-guide")
    assert [s.en for s in guide.steps] == ["Open the application.", "Send it."]
    assert guide.duration_days == 5 and guide.documents[0].ar == "شهادة العلامة"
    assert store.record("policy", "terms").title.en == "Terms of use"
    poll = store.record("poll", "cms-poll")
    assert [o.id for o in poll.options] == ["morning", "evening"]
    assert poll.opens_at.isoformat() == "2026-12-01T08:00:00+00:00"
    survey = store.record("survey", "cms-survey")
    assert [c.id for c in survey.questions[0].choices] == ["no", "somewhat", "yes"]
    assert survey.questions[0].required is True and survey.questions[0].kind == "rating"
    site = store.site()
    assert site.call_centre == "80077777"
    assert [(h.date.isoformat(), h.name.en) for h in site.holidays] == [
        ("2027-11-18", "National Day")]
    assert [(f.kind, f.id) for f in site.featured] == [("product", "khalas-dates"),
                                                       ("news", "cms-news")]
    # What was imported and not touched is still exactly there.
    assert store.record("faq", "what-is-mark").question.en == "What is the mark?"
    assert store.record("survey", "satisfaction") is not None


def test_a_missing_translation_blocks_a_publish_with_the_list(central):
    """A publisher publishing a snippet directly is held to the same list as a submit."""
    publisher = sign_in(central, "pat")
    listing = get(publisher, central, "/cms/snippets/cms/faq/", params={"q": "mark"}).text
    url = re.search(r'href="(/cms/snippets/cms/faq/edit/\d+/)"', listing).group(1)
    fields = form_fields(get(publisher, central, url).text)
    fields.update(question_ar="", answer_en="", **{"action-publish": "publish"})
    r = post(publisher, central, url, data=fields)
    assert r.status_code == 200
    missing = re.search(r"Missing before this can be published:(.*?)</ul>", r.text, re.S)
    assert missing, r.text[:1500]
    assert "Question (Arabic) is missing" in missing.group(1)
    assert "Answer (English) is missing" in missing.group(1)
    # The live version is untouched: nothing to publish from that attempt.
    page = get(publisher, central, "/cms/kiosks/publish/").text
    assert "what-is-mark" not in _cell(page, "faq", "changed")


def test_a_retired_snippet_leaves_the_next_release_and_the_kiosk(central, tmp_path):
    publisher = sign_in(central, "pat")
    home = tmp_path / "kiosk"
    _, version = publish_if_needed(publisher, central)
    dev = synced_kiosk(central, home, version)
    assert dev.store.record("news", "expo") is not None
    assert dev.store.record("guide", "apply-mark") is not None
    for model, text in (("news", "Expo opens"), ("guideentry", "Apply for the mark")):
        listing = get(publisher, central, f"/cms/snippets/cms/{model}/", params={"q": text}).text
        pk = re.search(rf'href="/cms/snippets/cms/{model}/edit/(\d+)/', listing).group(1)
        url = f"/cms/snippets/cms/{model}/unpublish/{pk}/"
        token = form_fields(get(publisher, central, url).text, None)["csrfmiddlewaretoken"]
        r = post(publisher, central, url, data={"csrfmiddlewaretoken": token})
        assert r.status_code == 200 and "unpublished" in r.text, r.text[:800]
    page, version = publish(publisher, central)
    assert "expo" in _cell(page, "news", "retired")
    assert "apply-mark" in _cell(page, "guide", "retired")
    dev = synced_kiosk(central, home, version)
    assert dev.store.record("news", "expo") is None
    assert dev.store.record("guide", "apply-mark") is None
    assert dev.store.record("faq", "what-is-mark") is not None


def publish_if_needed(publisher, central) -> tuple[str, int]:
    page = get(publisher, central, "/cms/kiosks/publish/").text
    if "Kiosks already have exactly this content" in page:
        return page, int(re.search(r"Kiosks now have version (\d+)", page).group(1))
    return publish(publisher, central)


def test_an_faq_entry_made_from_feedback_waits_in_the_cms_for_approval(central, tmp_path):
    """"Add to the FAQ" (staff admin) makes a CMS draft: the CMS's publish would otherwise
    replace the FAQ drafts it did not know of. It is sent once a publisher approves it."""
    device = central.enroll("feedback kiosk")
    item = {"id": str(uuid.uuid4()), "type": "feedback", "created_at": now_z(), "lang": "en",
            "content_version": 1,
            "payload": {"kind": "suggestion", "text": "Can I pay by card at the shops?"}}
    send(central, device, [item])
    analyst = sign_in(central, "amal")
    r = act(central, analyst, item["id"], action="faq_save",
            question_en="Can I pay by card at the shops?", question_ar="هل أستطيع الدفع بالبطاقة؟",
            answer_en="Most shops take cards.", answer_ar="معظم المحلات تقبل البطاقات.")
    assert r.status_code == 200 and "approves it in the CMS" in r.text, r.text[:800]
    rid = re.search(r"FAQ draft (faq-\d+)", r.text).group(1)

    publisher = sign_in(central, "pat")
    page = get(publisher, central, "/cms/kiosks/publish/").text
    assert "Can I pay by card at the shops?" in page.split("Not sent: drafts", 1)[1]
    assert rid not in _cell(page, "faq", "added")
    listing = get(publisher, central, "/cms/snippets/cms/faq/", params={"q": "card"}).text
    url = re.search(r'href="(/cms/snippets/cms/faq/edit/\d+/)"', listing).group(1)
    fields = {**form_fields(get(publisher, central, url).text), "action-publish": "publish"}
    r = post(publisher, central, url, data=fields)
    assert r.status_code == 200 and "published" in r.text
    page, version = publish(publisher, central)
    assert rid in _cell(page, "faq", "added")
    dev = synced_kiosk(central, tmp_path / "kiosk", version)
    assert dev.store.record("faq", rid).answer.ar == "معظم المحلات تقبل البطاقات."


def preview(s, central, model: str, pk: str, fields: dict) -> tuple[str, str]:
    """The preview of the form's values: its Arabic side and its English side."""
    url = f"/cms/snippets/cms/{model}/preview/{pk}/"
    r = post(s, central, url, data=fields)
    assert r.status_code == 200 and r.json()["is_valid"] is True, r.text[:500]
    page = get(s, central, url)
    assert page.status_code == 200, page.text[:500]
    ar, en = page.text.split('<section dir="ltr" lang="en">', 1)
    assert '<section dir="rtl" lang="ar">' in ar
    return ar, en


@pytest.mark.parametrize("model,text,expect", [
    ("guideentry", "Apply for the mark", ["طلب العلامة", "Apply for the mark", "املأ النموذج",
                                          "Fill the form"]),
    ("faq", "What is the mark", ["ما هي العلامة؟", "A sign of Omani origin."]),
    ("category", "Dates", ["تمور", "Omani dates"]),
])
def test_the_preview_shows_both_languages_side_by_side(central, model, text, expect):
    editor = sign_in(central, "edna")
    listing = get(editor, central, f"/cms/snippets/cms/{model}/", params={"q": text}).text
    pk = re.search(rf'href="/cms/snippets/cms/{model}/edit/(\d+)/', listing).group(1)
    fields = form_fields(get(editor, central, f"/cms/snippets/cms/{model}/edit/{pk}/").text)
    ar, en = preview(editor, central, model, pk, fields)
    for t in expect:
        assert t in (ar if re.search("[\u0600-\u06ff]", t) else en), t


def test_staff_rename_a_governorate_and_reorder_it_and_kiosks_follow(central, tmp_path):
    publisher = sign_in(central, "pat")
    listing = get(publisher, central, "/cms/snippets/cms/governorate/").text
    m = re.search(r'href="(/cms/snippets/cms/governorate/edit/\d+/)"[^>]*>\s*(?:<[^>]+>\s*)*'
                  r'Dhofar', listing)
    assert m, "the CMS lists no governorate Dhofar (cms-import brings them)"
    fields = form_fields(get(publisher, central, m.group(1)).text)
    assert fields["record_id"] == "dhofar"
    fields.update(name_ar="محافظة ظفار", name_en="Dhofar Governorate", order="0",
                  **{"action-publish": "publish"})
    r = post(publisher, central, m.group(1), data=fields)
    assert r.status_code == 200 and "published" in r.text, r.text[:800]

    page, version = publish(publisher, central)
    assert "dhofar" in _cell(page, "governorate", "changed")
    assert "Governorates" in page
    dev = synced_kiosk(central, tmp_path / "kiosk", version)
    try:
        first = dev.store.governorates()[0]
        assert (first.id, first.name.ar, first.name.en) == (
            "dhofar", "محافظة ظفار", "Dhofar Governorate")
    finally:
        dev.close()


def replace_rows(fields: dict[str, str], prefix: str, items: list[dict[str, str]]) -> None:
    """An inline panel's rows become ``items``: the rows the form has are deleted (as its
    delete buttons do) and ``items`` added after them."""
    initial = int(fields[f"{prefix}-INITIAL_FORMS"])
    for i in range(initial):
        fields[f"{prefix}-{i}-DELETE"] = "1"
    for j, item in enumerate(items, initial):
        fields.update({f"{prefix}-{j}-id": "", f"{prefix}-{j}-ORDER": str(j + 1),
                       f"{prefix}-{j}-DELETE": "", f"{prefix}-{j}-product": "",
                       f"{prefix}-{j}-news": ""})
        fields.update({f"{prefix}-{j}-{k}": v for k, v in item.items()})
    fields[f"{prefix}-TOTAL_FORMS"] = str(initial + len(items))


def test_staff_choose_the_idle_screens_items_with_the_chooser_and_kiosks_loop_them(
        central, tmp_path):
    """Site info's featured items are picked with the CMS's chooser (no record ids to type):
    a row must name one product or one news item, in the staff member's language; a chosen
    item not live yet is a note, not a stop; the kiosk's idle loop shows the chosen products
    in their order, and skips the news item it does not have."""
    central.cli("create-staff", "noor", "--role", "editor", input=PASSWORD + "\n")
    publisher = sign_in(central, "pat")
    listing = get(publisher, central, "/cms/snippets/cms/siteinfo/").text
    site_url = re.search(r'href="(/cms/snippets/cms/siteinfo/edit/\d+/)"', listing).group(1)
    page = get(publisher, central, site_url).text
    # A new row offers a chooser for each kind, and no record id to type.
    assert 'name="featured-__prefix__-product"' in page
    assert 'name="featured-__prefix__-news"' in page
    assert "Choose product" in page and "Choose news item" in page, page[:300]
    assert "item_id" not in page and "item_kind" not in page

    # A news item still a draft (nobody approved it).
    news = form_fields(get(publisher, central, "/cms/snippets/cms/news/add/").text)
    news.update(NEW["news"], record_id="loop-news", title_en="Makers' week",
                title_ar="أسبوع الصناع")
    r = post(publisher, central, "/cms/snippets/cms/news/add/", data=news)
    assert r.status_code == 200 and "created" in r.text, r.text[:800]

    hojari = choose(publisher, central, "product", "Hojari frankincense")
    khalas = choose(publisher, central, "product", "Khalas dates")
    draft_news = choose(publisher, central, "news", "Makers' week")

    # A row naming nothing, and one naming two items, are refused with what to do.
    fields = form_fields(page)
    fields["use_featured"] = "on"
    replace_rows(fields, "featured", [{}, {"product": hojari, "news": draft_news}])
    r = post(publisher, central, site_url, data={**fields, "action-publish": "publish"})
    assert r.status_code == 200 and "could not be saved" in r.text, r.text[:1500]
    text = re.sub(r"\s+", " ", r.text)
    assert ("Choose the product or the news item this row features, or delete the row."
            in text), re.findall(r'class="error-message".*?</', text)[:5]
    assert "Choose a product or a news item for this row, not both" in text
    # The same refusal in Arabic for a staff member who works in Arabic.
    editor = sign_in(central, "noor")
    account = form_fields(get(editor, central, "/cms/account/").text)
    account.update({"name_email-first_name": "Noor", "name_email-last_name": "Editor",
                    "locale-preferred_language": "ar"})
    assert post(editor, central, "/cms/account/", data=account,
                allow_redirects=False).status_code == 302
    fields_ar = form_fields(get(editor, central, site_url).text)
    fields_ar["use_featured"] = "on"
    replace_rows(fields_ar, "featured", [{}])
    r = post(editor, central, site_url, data=fields_ar)
    assert "اختر المنتج أو الخبر الذي يعرضه هذا الصف، أو احذف الصف." in r.text, \
        re.findall(r'class="error-message".*?</', r.text, re.S)[:5]

    # Chosen properly: two products and the draft news item, published at once.
    replace_rows(fields, "featured", [{"product": hojari}, {"news": draft_news},
                                      {"product": khalas}])
    r = post(publisher, central, site_url, data={**fields, "action-publish": "publish"})
    assert r.status_code == 200 and "published" in r.text, \
        re.findall(r'class="error-message".*?</|<ul class="cms-missing">.*?</ul>', r.text,
                   re.S)[:5] or r.text[:1500]
    page = get(publisher, central, site_url).text
    note = ("Featured item (2): the news item “Makers' week” is not live (retired, or waiting "
            "for approval), so kiosks skip it until it is published.")
    notes = re.search(r'<ul class="cms-notes">(.*?)</ul>', html.unescape(page), re.S)
    assert notes and note in notes.group(1), page[:2000]
    assert "Missing before this can be published" not in page

    # A featured product can not be deleted from under the site info (it can be retired).
    refused = get(publisher, central, f"/cms/snippets/cms/product/delete/{hojari}/").text
    assert ("One or more references to this product prevent it from being deleted."
            in re.sub(r"\s+", " ", refused)), refused[:1500]

    # Publish to kiosks lists the note too and publishes all the same.
    diff, version = publish(publisher, central)
    assert note in html.unescape(diff).split('<ul class="cms-notes">', 1)[1]
    assert "site" in _cell(diff, "site", "changed")
    site = released_catalogue(central).records["site"]["site"]
    assert site["featured"] == [{"kind": "product", "id": "hojari"},
                                {"kind": "news", "id": "loop-news"},
                                {"kind": "product", "id": "khalas-dates"}]

    from kiosk.services.catalogue import Browse

    dev = synced_kiosk(central, tmp_path / "kiosk", version)
    try:
        loop = Browse(dev).loop_items()
        assert [(i.kind, i.id, i.name.en) for i in loop] == [
            ("product", "hojari", "Hojari frankincense"),
            ("product", "khalas-dates", "Khalas dates")]
    finally:
        dev.close()

    # cms-import again, from that release: the rows name the same snippets, so there is
    # nothing new to publish.
    assert "imported into the CMS from version" in central.cli("cms-import").stdout
    again = form_fields(get(publisher, central, site_url).text)
    n = int(again["featured-INITIAL_FORMS"])
    assert [(again[f"featured-{i}-product"], again[f"featured-{i}-news"]) for i in range(n)] \
        == [(hojari, ""), ("", draft_news), (khalas, "")]
    assert "Kiosks already have exactly this content" in get(publisher, central,
                                                             "/cms/kiosks/publish/").text
