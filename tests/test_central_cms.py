"""The CMS under /cms/ (Wagtail), through real HTTP against a live central: an editor adds a
picture with alt text in both languages and a product with it; it reaches no publish until a
publisher approves; the publish diff lists it as added; afterwards the release kiosks get holds
it. Forms are read from the pages and posted back as a browser would."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from tests.conftest import HTTP_TIMEOUT_S, CentralDB, CentralServer, published_central

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory, central_catalogue_dir: Path,
            module_central_db: CentralDB):
    with published_central(tmp_path_factory.mktemp("cms_home"), central_catalogue_dir,
                           db=module_central_db) as server:
        for user, role in (("edna", "editor"), ("pat", "publisher"), ("ali", "analyst")):
            server.cli("create-staff", user, "--role", role, input=PASSWORD + "\n")
        out = server.cli("cms-import").stdout
        assert "imported into the CMS from version 1" in out, out
        yield server


class _Form(HTMLParser):
    """The fields of one form (by id, else the first POST form) with the values a browser
    would send unchanged."""

    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.inside:
            if (self.form_id and a.get("id") == self.form_id) or (
                    not self.form_id and (a.get("method") or "").lower() == "post"):
                self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            elif kind not in ("file", "submit", "button"):
                self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False
            self.form_id = "\0done"  # only the first matching form


def form_fields(html: str, form_id: str | None = "w-editor-form") -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(html)
    assert parser.fields, f"no form {form_id!r} on the page"
    return {k: v for k, v in parser.fields.items() if "__prefix__" not in k}


def sign_in(central: CentralServer, user: str) -> requests.Session:
    s = requests.Session()
    r = central.sign_in(user, PASSWORD, s)
    assert r.status_code == 200, r.text[:300]
    return s


def get(s: requests.Session, central: CentralServer, path: str, **kw) -> requests.Response:
    return s.get(central.url + path, timeout=HTTP_TIMEOUT_S, **kw)


def post(s: requests.Session, central: CentralServer, path: str, **kw) -> requests.Response:
    return s.post(central.url + path, timeout=HTTP_TIMEOUT_S, **kw)


def released_catalogue(central: CentralServer):  # noqa: ANN201 - content's PublishedCatalogue
    """The newest release as kiosks get it, read from central's database in this process."""
    from central import content

    svc = central.service()
    try:
        return content.published_catalogue(svc)
    finally:
        svc.close()


def png(width: int, height: int, seed: int) -> bytes:
    from central.content import make_png

    return make_png(width, height, (seed % 256, (seed * 7) % 256, 90), stripe=4)


def upload_picture(s, central, title, data, alt_ar, alt_en) -> requests.Response:
    page = get(s, central, "/cms/images/add/")
    fields = form_fields(page.text)
    fields.update(title=title, alt_ar=alt_ar, alt_en=alt_en)
    return post(s, central, "/cms/images/add/", data=fields,
                files={"file": (f"{title}.png", data, "image/png")}, allow_redirects=False)


def pk_in_listing(s, central, listing: str, text: str) -> str:
    """The id of the row showing ``text`` in a CMS list (its edit link)."""
    page = get(s, central, listing, params={"q": text})
    m = re.search(r'href="[^"]*/edit/(\d+)/[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*' + re.escape(text),
                  page.text)
    if m is None:  # Wagtail's images list: /cms/images/ID/
        m = re.search(r'href="/cms/images/(\d+)/[^"]*"[^>]*>(?:(?!</a>).)*' + re.escape(text),
                      page.text, re.S)
    assert m, f"{text!r} is not listed in {listing}"
    return m.group(1)


def product_form(s, central, picture_id: str, **values) -> dict[str, str]:
    page = get(s, central, "/cms/snippets/cms/product/add/")
    assert page.status_code == 200
    fields = form_fields(page.text)
    fields.update({
        "record_id": "frankincense-soap", "code": "MIO-SP-0042",
        "name_ar": "صابون اللبان", "name_en": "Frankincense soap",
        "description_ar": "صابون مصنوع يدويا بزيت اللبان العماني.",
        "description_en": "Handmade soap with Omani frankincense oil.",
        "category": pk_in_listing(s, central, "/cms/snippets/cms/category/", "Frankincense"),
        "manufacturer": pk_in_listing(s, central, "/cms/snippets/cms/manufacturer/",
                                      "Luban House"),
        "governorate": "dhofar",
        "portal_url": "https://madeinoman.om/products/frankincense-soap",
        "images-TOTAL_FORMS": "1", "images-0-image": picture_id, "images-0-id": "",
        "images-0-ORDER": "1", "images-0-DELETE": "",
    })
    fields.update(values)
    return fields


def test_the_cms_needs_a_signed_in_editor_and_signs_in_at_the_staff_door(central):
    r = requests.get(central.url + "/cms/", allow_redirects=False, timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 302 and r.headers["location"].startswith("/admin/login?next=/cms/")
    # Wagtail's own sign-in page is the staff admin's too (its lockout, one door).
    r = requests.get(central.url + "/cms/login/?next=/cms/images/", allow_redirects=False,
                     timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/login?next=/cms/images/"
    # An analyst has nothing to do in the CMS: Wagtail turns them away.
    s = sign_in(central, "ali")
    r = get(s, central, "/cms/snippets/cms/product/")
    assert r.url.startswith(central.url + "/admin/login")
    assert "Khalas dates" not in r.text


def test_staff_choose_arabic_and_the_cms_mirrors_right_to_left(central):
    s = sign_in(central, "pat")
    page = get(s, central, "/cms/account/")
    fields = form_fields(page.text)
    # Wagtail asks for a name once (its account page requires one); then the language.
    fields.update({"name_email-first_name": "Pat", "name_email-last_name": "Publisher",
                   "locale-preferred_language": "ar"})
    r = post(s, central, "/cms/account/", data=fields, allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    home = get(s, central, "/cms/snippets/cms/product/")
    assert re.search(r'<html[^>]*lang="ar"[^>]*dir="rtl"', home.text), home.text[:400]
    assert "المنتجات" in home.text or "منتج" in home.text  # the kinds' names in Arabic
    fields = form_fields(get(s, central, "/cms/account/").text)
    fields["locale-preferred_language"] = "en"
    assert post(s, central, "/cms/account/", data=fields,
                allow_redirects=False).status_code == 302
    assert 'dir="ltr"' in get(s, central, "/cms/").text


def test_a_picture_needs_alt_text_in_both_languages_and_a_kiosk_size(central):
    s = sign_in(central, "edna")
    r = upload_picture(s, central, "tiny", png(100, 80, 1), "صورة", "A picture")
    assert r.status_code == 200
    assert "100 × 80 pixels" in r.text and "240 × 180" in r.text
    r = upload_picture(s, central, "no-arabic", png(320, 240, 2), "", "A picture")
    assert r.status_code == 200 and "This field is required" in r.text
    r = upload_picture(s, central, "a-gif", b"GIF89a" + b"\0" * 40, "صورة", "A picture")
    assert r.status_code == 200 and "gif" in r.text.lower()


def test_an_editors_product_reaches_kiosks_only_after_a_publisher_approves(central):
    editor = sign_in(central, "edna")
    picture = png(320, 240, 42)
    r = upload_picture(editor, central, "soap-bar", picture, "قطعة صابون بنية على منشفة بيضاء.",
                       "A brown bar of soap on a white towel.")
    assert r.status_code == 302, r.text[:2000]
    picture_id = pk_in_listing(editor, central, "/cms/images/", "soap-bar")

    # A draft may be incomplete...
    draft = product_form(editor, central, picture_id, name_en="")
    r = post(editor, central, "/cms/snippets/cms/product/add/", data=draft)
    assert r.status_code == 200 and "created" in r.text, r.text[:1000]
    # ...and its page lists what is missing before it can be published.
    assert "Missing before this can be published" in r.text
    assert "Name (English) is missing" in r.text
    edit_url = re.search(r'action="(/cms/snippets/cms/product/edit/\d+/)"', r.text).group(1)
    # Submitting it for approval is refused with the same list.
    fields = form_fields(r.text)
    fields["action-submit"] = "submit"
    r = post(editor, central, edit_url, data=fields)
    assert r.status_code == 200 and "Name (English) is missing" in r.text
    # Complete, then submitted.
    fields = form_fields(r.text)
    fields.update(name_en="Frankincense soap", **{"action-submit": "submit"})
    r = post(editor, central, edit_url, data=fields)
    assert r.status_code == 200 and "submitted for moderation" in r.text, r.text[:1000]

    # The editor can not publish to kiosks, nor see the page.
    r = get(editor, central, "/cms/kiosks/publish/")
    assert "Publish to kiosks" not in r.text.split("<main", 1)[-1][:3000] or "/kiosks/" not in r.url

    # The publisher's publish page: the draft is waiting, not part of the publish.
    publisher = sign_in(central, "pat")
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert page.status_code == 200
    assert "Not sent: drafts not yet approved" in page.text
    assert "Frankincense soap" in page.text.split("Not sent:", 1)[1]
    assert "frankincense-soap" not in _added(page.text, "product")
    assert "Kiosks already have exactly this content" in page.text

    # The publisher approves it (from the dashboard's "awaiting your review").
    dash = get(publisher, central, "/cms/")
    m = re.search(r'(/cms/snippets/cms/product/workflow/action/\d+/approve/\d+/)', dash.text)
    assert m, "the dashboard offers no approval for the product"
    r = post(publisher, central, m.group(1), data={
        "csrfmiddlewaretoken": publisher.cookies.get("mio_csrf", ""), "comment": ""},
        headers={"X-CSRFToken": publisher.cookies.get("mio_csrf", ""),
                 "Referer": central.url + "/cms/"})
    assert r.status_code == 200, r.text[:500]

    page = get(publisher, central, "/cms/kiosks/publish/")
    added = _added(page.text, "product")
    assert "frankincense-soap" in added and "Frankincense soap" in added
    assert "Not sent: drafts not yet approved" not in page.text
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    token = form_fields(page.text, None)["csrfmiddlewaretoken"]
    r = post(publisher, central, "/cms/kiosks/publish/",
             data={"csrfmiddlewaretoken": token, "fingerprint": fingerprint})
    assert r.status_code == 200
    version = int(re.search(r"Version (\d+) is published", r.text).group(1))
    assert version >= 2

    # What kiosks get: the manifest's version, and the product in its release with the picture.
    device = central.enroll("cms test kiosk")
    manifest = central.get("/api/v1/manifest", headers=central.auth(device))
    assert manifest.status_code == 200
    assert manifest.json()["manifest"]["version"] == version
    from kiosk import protocol

    released = released_catalogue(central)
    assert released.version == version
    product = released.records["product"]["frankincense-soap"]
    assert product["name"] == {"ar": "صابون اللبان", "en": "Frankincense soap"}
    assert product["images"] == [{"blob": protocol.sha256_hex(picture), "alt": {
        "ar": "قطعة صابون بنية على منشفة بيضاء.", "en": "A brown bar of soap on a white towel."}}]
    blob = central.get(f"/api/v1/blobs/{protocol.sha256_hex(picture)}",
                       headers=central.auth(device))
    assert blob.status_code == 200 and blob.content == picture

    # The same publish again would change nothing.
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert "Kiosks already have exactly this content" in page.text


def test_a_publish_of_content_that_changed_since_the_page_was_read_is_refused(central):
    publisher = sign_in(central, "pat")

    def publish_category_order(order: str) -> None:
        pk = pk_in_listing(publisher, central, "/cms/snippets/cms/category/", "Dates")
        url = f"/cms/snippets/cms/category/edit/{pk}/"
        fields = form_fields(get(publisher, central, url).text)
        fields.update(order=order, **{"action-publish": "publish"})
        r = post(publisher, central, url, data=fields)
        assert r.status_code == 200 and "published" in r.text, r.text[:500]

    publish_category_order("7")  # a publisher may publish a snippet directly
    page = get(publisher, central, "/cms/kiosks/publish/")
    assert "dates" in _cell(page.text, "category", "changed")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    token = form_fields(page.text, None)["csrfmiddlewaretoken"]
    publish_category_order("8")  # meanwhile, another change
    r = post(publisher, central, "/cms/kiosks/publish/",
             data={"csrfmiddlewaretoken": token, "fingerprint": fingerprint})
    assert "The content changed since this page was opened" in r.text
    assert "is published" not in r.text


def _cell(html: str, kind: str, column: str) -> str:
    """One cell of the publish page's diff: what is added, changed or retired of a kind."""
    m = re.search(rf'<tr data-kind="{kind}">(.*?)</tr>', html, re.S)
    assert m, f"the diff has no row for {kind}"
    cell = re.search(rf'<td class="{column}">(.*?)</td>', m.group(1), re.S)
    return cell.group(1) if cell else ""


def _added(html: str, kind: str) -> str:
    return _cell(html, kind, "added")


# -- Easy Read --------------------------------------------------------------------------------

def easy_read_rows(fields: dict[str, str], lang: str, rows: list[tuple[str, str]]) -> None:
    """Fill the Easy Read rows of ``lang`` on an edit form: (pictogram, sentence) each.
    The widget's fields are easy_read_0..47: Arabic's 12 rows first, then English's, each row
    its pictogram then its sentence."""
    from kiosk.protocol import MAX_EASY_SENTENCES as ROWS  # central.cms.easy_read.ROWS

    first = 0 if lang == "ar" else 2 * ROWS
    for n in range(ROWS):
        icon, text = rows[n] if n < len(rows) else ("", "")
        fields[f"easy_read_{first + 2 * n}"] = icon
        fields[f"easy_read_{first + 2 * n + 1}"] = text


def test_an_editor_writes_easy_read_with_pictograms_and_sees_how_easy_it_reads(central):
    editor = sign_in(central, "edna")
    listing = get(editor, central, "/cms/snippets/cms/faq/").text
    pk = re.search(r'href="[^"]*/faq/edit/(\d+)/[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*What is the mark',
                   listing).group(1)
    url = f"/cms/snippets/cms/faq/edit/{pk}/"
    page = get(editor, central, url)
    assert "Easy Read" in page.text and "No Easy Read version yet" in page.text
    fields = form_fields(page.text)
    assert {f"easy_read_{i}" for i in range(48)} <= set(fields)

    # A sentence without its pictogram is refused, naming the row; nothing is saved.
    easy_read_rows(fields, "ar", [("phone", "اتصل بنا."), ("", "نرد كل يوم.")])
    r = post(editor, central, url, data=fields)
    assert "Easy Read, Arabic, sentence 2: choose its pictogram." in r.text
    assert "No Easy Read version yet" in get(editor, central, url).text

    easy_read_rows(fields, "ar", [("phone", "اتصل بنا على الرقم المجاني."),
                                  ("clock", "نرد من الأحد إلى الخميس.")])
    long = ("Our friendly call centre team answers every single question that visitors and "
            "companies ask about products")
    easy_read_rows(fields, "en", [("phone", "Call our free number."), ("clock", long)])
    r = post(editor, central, url, data=fields)
    assert r.status_code == 200 and "How easy the saved Easy Read version reads" in r.text
    english = re.search(r'id="readability-en">(.*?)</section>', r.text, re.S).group(1)
    assert "Sentence 2:" in english and "words: make it 15 or fewer" in english
    arabic = re.search(r'id="readability-ar">(.*?)</section>', r.text, re.S).group(1)
    assert "Reads easily" in arabic and "2 sentences" in arabic

    # The sentences come back in their rows, with their pictograms.
    again = form_fields(get(editor, central, url).text)
    assert (again["easy_read_0"], again["easy_read_1"]) == ("phone", "اتصل بنا على الرقم المجاني.")
    assert (again["easy_read_26"], again["easy_read_27"]) == ("clock", long)

    # The preview shows each side's Easy Read with its pictograms' names.
    preview = f"/cms/snippets/cms/faq/preview/{pk}/"
    assert post(editor, central, preview, data=again).json()["is_valid"] is True
    ar_side, en_side = get(editor, central, preview).text.split('<section dir="ltr" lang="en">')
    assert '[Phone]</span> اتصل بنا على الرقم المجاني.' in ar_side
    assert f'[Clock]</span> {long}' in en_side

    # In Arabic, the check speaks Arabic.
    fields = form_fields(get(editor, central, "/cms/account/").text)
    fields.update({"name_email-first_name": "Edna", "name_email-last_name": "Editor",
                   "locale-preferred_language": "ar"})
    assert post(editor, central, "/cms/account/", data=fields,
                allow_redirects=False).status_code == 302
    try:
        ar_page = get(editor, central, url).text
        english = re.search(r'id="readability-en">(.*?)</section>', ar_page, re.S).group(1)
        assert "كلمة: اجعلها 15 أو أقل" in english
        assert "رمز الجملة 1" in ar_page and "<option value=\"phone\" selected>الهاتف" in ar_page
    finally:
        fields = form_fields(get(editor, central, "/cms/account/").text)
        fields["locale-preferred_language"] = "en"
        post(editor, central, "/cms/account/", data=fields, allow_redirects=False)

    # A publisher publishes it; the release kiosks get carries it.
    publisher = sign_in(central, "pat")
    fields = form_fields(get(publisher, central, url).text)
    easy_read_rows(fields, "en", [("phone", "Call our free number."),
                                  ("clock", "We answer from Sunday to Thursday.")])
    fields["action-publish"] = "publish"
    r = post(publisher, central, url, data=fields)
    assert r.status_code == 200 and "published" in r.text, r.text[:500]
    page = get(publisher, central, "/cms/kiosks/publish/")
    record_id = "what-is-mark"
    assert record_id in _cell(page.text, "faq", "changed")
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    token = form_fields(page.text, None)["csrfmiddlewaretoken"]
    r = post(publisher, central, "/cms/kiosks/publish/",
             data={"csrfmiddlewaretoken": token, "fingerprint": fingerprint})
    assert "is published" in r.text
    released = released_catalogue(central)
    assert released.records["faq"][record_id]["easy_read"] == {
        "ar": [{"text": "اتصل بنا على الرقم المجاني.", "icon": "phone"},
               {"text": "نرد من الأحد إلى الخميس.", "icon": "clock"}],
        "en": [{"text": "Call our free number.", "icon": "phone"},
               {"text": "We answer from Sunday to Thursday.", "icon": "clock"}]}


def test_after_cms_import_the_cms_finds_its_snippets_and_knows_what_uses_them(central):
    """cms-import brings the search index and the reference index up to date once, at its end
    (central.cms.importer): the lists find what it brought, a maker's usage page names the
    products that use it, its delete page says it is in use; a snippet saved afterwards is
    found as soon as it is saved."""
    s = sign_in(central, "edna")
    pk_in_listing(s, central, "/cms/snippets/cms/product/", "Khalas dates")
    maker = pk_in_listing(s, central, "/cms/snippets/cms/manufacturer/", "Nakheel Farms")
    usage = get(s, central, f"/cms/snippets/cms/manufacturer/usage/{maker}/").text
    assert "Khalas dates" in usage and "Date syrup" in usage, usage[:2000]
    assert "Hojari frankincense" not in usage
    delete = get(sign_in(central, "pat"), central,
                 f"/cms/snippets/cms/manufacturer/delete/{maker}/").text
    assert "is referenced 2 times" in delete, delete[:3000]

    page = get(s, central, "/cms/snippets/cms/certification/add/")
    fields = form_fields(page.text)
    fields.update(record_id="organic", name_ar="عضوي", name_en="Organic Oman",
                  description_ar="زراعة عضوية", description_en="Grown organically")
    r = post(s, central, "/cms/snippets/cms/certification/add/", data=fields)
    assert r.status_code == 200 and "created" in r.text, r.text[:1500]
    pk_in_listing(s, central, "/cms/snippets/cms/certification/", "Organic Oman")


def test_cms_import_over_a_draft_awaiting_approval_publishes_the_release_and_ends_the_approval(
        central):
    """As Wagtail's publish does: the snippet is live with what kiosks have, and the approval
    it was waiting for is cancelled (central.cms.importer publishes such a snippet through
    Wagtail)."""
    editor = sign_in(central, "edna")
    pk = pk_in_listing(editor, central, "/cms/snippets/cms/product/", "Date syrup")
    url = f"/cms/snippets/cms/product/edit/{pk}/"
    fields = {**form_fields(get(editor, central, url).text), "name_en": "Dark date syrup",
              "action-submit": "submit"}
    r = post(editor, central, url, data=fields)
    assert r.status_code == 200 and "submitted for moderation" in r.text, r.text[:1000]
    publisher = sign_in(central, "pat")
    approval = rf"/cms/snippets/cms/product/workflow/action/{pk}/approve/\d+/"
    assert re.search(approval, get(publisher, central, "/cms/").text)

    assert "imported into the CMS" in central.cli("cms-import").stdout
    assert not re.search(approval, get(publisher, central, "/cms/").text), \
        "the approval still waits after the import published the snippet"
    page = get(publisher, central, "/cms/kiosks/publish/").text
    assert "Dark date syrup" not in page and "Kiosks already have exactly this content" in page
