"""Content records: the bilingual models of everything a kiosk shows (products, makers,
categories, news, FAQ, guide, policies, polls, the survey, site info) and the whole catalogue's
checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import PurePath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, model_validator

from kiosk.protocol.base import (
    MAX_BLOB_BYTES,
    MAX_EASY_SENTENCE,
    MAX_EASY_SENTENCES,
    MAX_LIST,
    MAX_LONG,
    MAX_NAME,
    MAX_RECORDS,
    MAX_SHORT,
    MAX_VIDEO_BYTES,
    MAX_VIDEO_MS,
    MAX_VIDEO_SIDE,
    MIN_VIDEO_SIDE,
    SCHEMA_VERSION,
    ClockTime,
    Governorate,
    HttpsUrl,
    ProtocolError,
    RecordId,
    Sha256,
    UtcDateTime,
    Weekday,
    _bilingual,
    _explain,
    _Strict,
    _strip_text,
    sha256_hex,
)
from kiosk.vocabulary import EASY_READ_ICONS, SIGN_VIDEO_SCREENS


class Name(_bilingual(MAX_NAME)):
    """A name in Arabic and English."""


class ShortText(_bilingual(MAX_SHORT)):
    """A title, label or question in Arabic and English."""


class LongText(_bilingual(MAX_LONG)):
    """A description or body in Arabic and English."""


# ---------------------------------------------------------------------------------------------
# Easy Read: a record's text again in short sentences, one idea each with its pictogram. Optional
# on every record a visitor reads (products, news, FAQ, guide, policies); absent, the record is
# exactly what it was before (no key in its JSON, the same hash), and the kiosk shows the normal
# text.

EasyIcon = Literal[EASY_READ_ICONS]  # type: ignore[valid-type]


class EasySentence(_Strict):
    """One short sentence and the pictogram beside it (a name from vocabulary.EASY_READ_ICONS)."""

    text: Annotated[str, BeforeValidator(_strip_text),
                    Field(min_length=1, max_length=MAX_EASY_SENTENCE, pattern=r"^[^\n\r]*$")]
    icon: EasyIcon


_EasySentences = Annotated[tuple[EasySentence, ...],
                           Field(min_length=1, max_length=MAX_EASY_SENTENCES)]


class EasyRead(_Strict):
    """A record's Easy Read version, in both languages."""

    ar: _EasySentences
    en: _EasySentences


# ---------------------------------------------------------------------------------------------
# Content records


class Image(_Strict):
    blob: Sha256
    alt: ShortText


class SignVideo(_Strict):
    """A sign-language version of a record or a screen: a clip (a blob like a picture, MP4
    with H.264 or WebM with VP8/VP9, checked at upload by central) played without sound, and
    its captions: what is signed, written in both languages for visitors who read rather than
    sign (shown under the clip)."""

    blob: Sha256
    media_type: Literal["video/mp4", "video/webm"]
    duration_ms: int = Field(ge=1, le=MAX_VIDEO_MS)
    width: int = Field(ge=MIN_VIDEO_SIDE, le=MAX_VIDEO_SIDE)
    height: int = Field(ge=MIN_VIDEO_SIDE, le=MAX_VIDEO_SIDE)
    captions: LongText


class Category(_Strict):
    id: RecordId
    name: Name
    description: ShortText
    order: int = Field(ge=0, le=10_000)
    image: Image | None = None


class GovernorateInfo(_Strict):
    id: Governorate
    name: Name
    order: int = Field(ge=0, le=100)


class Certification(_Strict):
    id: RecordId
    name: Name
    description: ShortText


class Manufacturer(_Strict):
    id: RecordId
    name: Name
    governorate: Governorate
    description: LongText
    website: HttpsUrl | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ]{4,20}$")] | None = None


class Outlet(_Strict):
    """Somewhere to buy a product."""

    name: Name
    address: ShortText
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ]{4,20}$")] | None = None
    url: HttpsUrl | None = None


class Product(_Strict):
    id: RecordId
    code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")]
    name: Name
    description: LongText
    category_id: RecordId
    manufacturer_id: RecordId
    governorate: Governorate
    images: Annotated[tuple[Image, ...], Field(max_length=MAX_LIST)] = ()
    certifications: Annotated[tuple[RecordId, ...], Field(max_length=MAX_LIST)] = ()
    where_to_buy: Annotated[tuple[Outlet, ...], Field(max_length=MAX_LIST)] = ()
    portal_url: HttpsUrl
    easy_read: EasyRead | None = None
    sign_video: SignVideo | None = None


class News(_Strict):
    id: RecordId
    title: ShortText
    summary: ShortText
    body: LongText
    published_on: date
    image: Image | None = None
    easy_read: EasyRead | None = None
    sign_video: SignVideo | None = None


class Faq(_Strict):
    id: RecordId
    question: ShortText
    answer: LongText
    order: int = Field(ge=0, le=10_000)
    easy_read: EasyRead | None = None
    sign_video: SignVideo | None = None


class GuideEntry(_Strict):
    """One service in the service guide, e.g. applying for the Made in Oman mark."""

    id: RecordId
    title: ShortText
    summary: LongText
    documents: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=MAX_LIST)]
    steps: Annotated[tuple[ShortText, ...], Field(min_length=1, max_length=MAX_LIST)]
    duration: ShortText
    duration_days: int = Field(ge=0, le=365)
    fee: ShortText
    order: int = Field(ge=0, le=10_000)
    easy_read: EasyRead | None = None
    sign_video: SignVideo | None = None


class Policy(_Strict):
    id: Literal["privacy", "terms", "accessibility", "participation", "open_data"]
    title: ShortText
    summary: ShortText
    body: LongText
    order: int = Field(ge=0, le=100)
    easy_read: EasyRead | None = None
    sign_video: SignVideo | None = None


class PollOption(_Strict):
    id: RecordId
    label: ShortText


class Poll(_Strict):
    id: RecordId
    question: ShortText
    options: Annotated[tuple[PollOption, ...], Field(min_length=2, max_length=12)]
    opens_at: UtcDateTime
    closes_at: UtcDateTime

    @model_validator(mode="after")
    def _check(self) -> Poll:
        if self.closes_at <= self.opens_at:
            raise ValueError("a poll must close after it opens")
        _unique([o.id for o in self.options], "poll option")
        return self


class SurveyChoice(_Strict):
    id: RecordId
    label: ShortText


class SurveyQuestion(_Strict):
    id: RecordId
    text: ShortText
    kind: Literal["rating", "choice"]
    choices: Annotated[tuple[SurveyChoice, ...], Field(min_length=2, max_length=12)]
    required: bool = False


class Survey(_Strict):
    id: RecordId
    title: ShortText
    intro: ShortText
    questions: Annotated[tuple[SurveyQuestion, ...], Field(min_length=1, max_length=MAX_LIST)]

    @model_validator(mode="after")
    def _check(self) -> Survey:
        _unique([q.id for q in self.questions], "survey question")
        for q in self.questions:
            _unique([c.id for c in q.choices], f"choice in question {q.id}")
        return self


class OfficeHours(_Strict):
    days: Annotated[tuple[Weekday, ...], Field(min_length=1, max_length=7)]
    opens: ClockTime
    closes: ClockTime


class Holiday(_Strict):
    date: date
    name: ShortText


class Featured(_Strict):
    """An item the idle screen's loop shows, in the order staff put them (site info)."""

    kind: Literal["product", "news"]
    id: RecordId


MAX_FEATURED = 12

# A screen that may have a sign-language clip of its own (kiosk.vocabulary says which).
SignScreen = Literal[SIGN_VIDEO_SCREENS]  # type: ignore[valid-type]


class SiteInfo(_Strict):
    id: Literal["site"]
    portal_name: Name
    call_centre: Annotated[str, Field(pattern=r"^[0-9]{4,15}$")]
    email: Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}$")] | None = None
    portal_url: HttpsUrl
    timezone: Literal["Asia/Muscat"]
    office_hours: Annotated[tuple[OfficeHours, ...], Field(min_length=1, max_length=7)]
    holidays: Annotated[tuple[Holiday, ...], Field(max_length=100)] = ()
    address: ShortText
    open_data_licence: ShortText
    # What the idle screen's loop shows; absent (or naming nothing the content has), the
    # newest products and news with pictures. Optional: absent, a site record's JSON and
    # hash are unchanged.
    featured: Annotated[tuple[Featured, ...], Field(max_length=MAX_FEATURED)] | None = None
    # A screen's own sign-language clip, by screen name (SIGN_VIDEO_SCREENS): the screen
    # offers "Sign language" where it has one. Optional like ``featured``: absent, a site
    # record's JSON and hash are unchanged.
    screen_sign_videos: dict[SignScreen, SignVideo] | None = None

    def screen_sign_video(self, screen: str) -> SignVideo | None:
        """The clip the site gives ``screen``, or None."""
        return (self.screen_sign_videos or {}).get(screen)  # type: ignore[call-overload]


RECORD_MODELS: dict[str, type[_Strict]] = {
    "category": Category,
    "governorate": GovernorateInfo,
    "certification": Certification,
    "manufacturer": Manufacturer,
    "product": Product,
    "news": News,
    "faq": Faq,
    "guide": GuideEntry,
    "policy": Policy,
    "poll": Poll,
    "survey": Survey,
    "site": SiteInfo,
}
RECORD_KINDS = tuple(RECORD_MODELS)
# The kinds that may carry a sign-language clip (SignVideo): what a visitor reads.
SIGN_VIDEO_KINDS = ("product", "news", "faq", "guide", "policy")


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} id {i!r} appears twice")
        seen.add(i)



def parse_record(kind: str, data: Any) -> _Strict:
    """Validate one record of ``kind``; raise ProtocolError naming the field on any problem."""
    model = RECORD_MODELS.get(kind)
    if model is None:
        raise ProtocolError(f"unknown record kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}")
    where = f"{kind} {data.get('id', '?')!s}" if isinstance(data, dict) else kind
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ProtocolError(_explain(e, where)) from None


def record_to_json(record: BaseModel) -> dict:
    """A record as plain JSON data, the form that is hashed and sent."""
    return record.model_dump(mode="json", exclude_none=True)


# ---------------------------------------------------------------------------------------------
# A catalogue: every record of every kind, checked as a whole


class Catalogue:
    """All content records of one snapshot, validated individually and as a whole."""

    def __init__(self, records: dict[str, dict[str, _Strict]]):
        self.records = records

    # Convenience views used by both ends.
    def of(self, kind: str) -> dict[str, Any]:
        return self.records.get(kind, {})

    def count(self) -> int:
        return sum(len(v) for v in self.records.values())

    @classmethod
    def from_json(cls, data: Any) -> Catalogue:
        """``data`` is ``{kind: [record, ...]}``, e.g. a catalogue file."""
        if not isinstance(data, dict):
            raise ProtocolError("a catalogue is a JSON object of record kinds")
        records: dict[str, dict[str, _Strict]] = {}
        for kind, items in data.items():
            if kind == "schema":
                if items != SCHEMA_VERSION:
                    raise ProtocolError(f"catalogue schema {items!r} is not {SCHEMA_VERSION}")
                continue
            if kind not in RECORD_MODELS:
                raise ProtocolError(
                    f"unknown record kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}"
                )
            if not isinstance(items, list):
                raise ProtocolError(f"{kind}: expected a list of records")
            by_id: dict[str, _Strict] = {}
            for item in items:
                rec = parse_record(kind, item)
                if rec.id in by_id:
                    raise ProtocolError(f"{kind} {rec.id}: the id appears twice")
                by_id[rec.id] = rec
            records[kind] = by_id
        cat = cls(records)
        cat.check()
        return cat

    def to_json(self) -> dict[str, list[dict]]:
        out: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for kind in RECORD_KINDS:
            if kind in self.records:
                out[kind] = [record_to_json(r) for r in self.records[kind].values()]
        return out

    def check(self) -> None:
        """Whole-catalogue rules: references resolve, required singletons exist."""
        problems: list[str] = []
        total = self.count()
        if total > MAX_RECORDS:
            problems.append(f"{total} records is over the limit of {MAX_RECORDS}")
        cats, makers, certs = self.of("category"), self.of("manufacturer"), self.of("certification")
        for p in self.of("product").values():
            if p.category_id not in cats:
                problems.append(f"product {p.id}: category {p.category_id!r} does not exist")
            if p.manufacturer_id not in makers:
                problems.append(f"product {p.id}: manufacturer {p.manufacturer_id!r} does not exist")
            for c in p.certifications:
                if c not in certs:
                    problems.append(f"product {p.id}: certification {c!r} does not exist")
        if "site" in self.records and list(self.of("site")) != ["site"]:
            problems.append("site: exactly one site record with id 'site' is needed")
        if problems:
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            raise ProtocolError("; ".join(problems[:10]) + more)

    def blob_refs(self) -> set[str]:
        """Every media hash the records point at: pictures and sign-language clips."""
        refs: set[str] = set(self.video_refs())
        for kind in ("category", "product", "news"):
            for r in self.of(kind).values():
                for img in getattr(r, "images", ()) or ():
                    refs.add(img.blob)
                img = getattr(r, "image", None)
                if img is not None:
                    refs.add(img.blob)
        return refs

    def video_refs(self) -> dict[str, str]:
        """Every sign-language clip's hash, with the media type its record gives it: the
        records' clips and the site's clips for screens."""
        refs: dict[str, str] = {}
        for kind in SIGN_VIDEO_KINDS:
            for r in self.of(kind).values():
                video = getattr(r, "sign_video", None)
                if video is not None:
                    refs[video.blob] = video.media_type
        for site in self.of("site").values():
            for video in (site.screen_sign_videos or {}).values():
                refs[video.blob] = video.media_type
        return refs


# A catalogue as files: ``catalogue.json`` plus ``media/<sha256>.<ext>`` (the demo catalogue in
# assets/demo/ has this shape). The reading is the caller's; the checks are here, once.

MEDIA_EXTENSIONS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                    ".webp": "image/webp"}
VIDEO_EXTENSIONS = {".mp4": "video/mp4", ".webm": "video/webm"}


def load_catalogue(catalogue_json: bytes, media_files: Mapping[str, str],
                   read: Callable[[str], bytes], where: str = "catalogue.json",
                   ) -> tuple[Catalogue, dict[str, tuple[str, int, str]]]:
    """Check a catalogue given as bytes and its media files. ``media_files`` maps each file's
    stem to its name (a path, as the caller names it) and ``read(name)`` gives its bytes.
    Returns the catalogue and, for every media file it references,
    ``sha256 -> (name, size, media type)``, each file checked against its name."""
    try:
        data = json.loads(catalogue_json.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ProtocolError(f"{where} is not valid JSON: {e}") from None
    catalogue = Catalogue.from_json(data)
    media: dict[str, tuple[str, int, str]] = {}
    videos = catalogue.video_refs()
    for h in sorted(catalogue.blob_refs()):
        name = media_files.get(h)
        if name is None:
            what = "sign-language clip" if h in videos else "image"
            raise ProtocolError(f"{what} {h} is referenced but media/{h}.* does not exist")
        suffix = PurePath(name).suffix.lower()
        if h in videos:
            mt = VIDEO_EXTENSIONS.get(suffix)
            if mt != videos[h]:
                raise ProtocolError(f"{name}: the record says {videos[h]}; name the file "
                                    f"{h}.mp4 for video/mp4 or {h}.webm for video/webm")
            limit = MAX_VIDEO_BYTES
        else:
            mt = MEDIA_EXTENSIONS.get(suffix)
            if mt is None:
                raise ProtocolError(f"{name}: only PNG, JPEG and WebP images are accepted")
            limit = MAX_BLOB_BYTES
        body = read(name)
        if len(body) > limit:
            raise ProtocolError(f"{name}: {len(body)} bytes is over {limit}")
        if sha256_hex(body) != h:
            raise ProtocolError(f"{name}: the file does not match the hash in its name")
        media[h] = (name, len(body), mt)
    return catalogue, media
