"""From the CMS to the kiosks: gather the live (approved) snippets, turn them into records with
``to_record()``, show how that differs from the live release, and publish it through central's
own service (``Central.replace_records`` then ``Central.publish``: the drafts in the ``record``
table, then a signed release).

A kind the CMS does not edit (none today; central/README.md lists the kinds) would keep its
drafts in the ``record`` table as they are and go out with the same publish; the diff would
show them too, so nobody publishes a change they did not see."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from central import content
from central.cms.images import KioskImage
from central.cms.models import KINDS, KioskRecord, page_language
from central.cms.videos import KioskSignVideo
from central.errors import CentralError
from kiosk import protocol


@dataclass
class KindDiff:
    kind: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    changed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.retired)

    @property
    def title(self) -> str:
        """The kind as staff read it, in the language of the page."""
        model = KINDS.get(self.kind)
        if model is not None:
            return str(model._meta.verbose_name_plural).capitalize()
        return self.kind


@dataclass
class Plan:
    """What "Publish to kiosks" would send, and what stops it."""

    records: dict[str, dict[str, dict]]  # kind -> id -> record JSON
    media: dict[str, KioskImage | KioskSignVideo]  # sha256 -> picture or sign-language clip
    problems: list[str]
    diffs: list[KindDiff]
    live_version: int | None
    held: list[str] = field(default_factory=list)  # snippets not live: not sent
    notes: list[str] = field(default_factory=list)  # worth knowing; they do not stop a publish

    @property
    def fingerprint(self) -> str:
        """Names exactly these records: the publish form carries it, so what is published is
        what the publisher saw."""
        body = json.dumps(self.records, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()

    @property
    def changes(self) -> int:
        return sum(len(d.added) + len(d.changed) + len(d.retired) for d in self.diffs)


def label(record: dict, lang: str = "en") -> str:
    """A record's name in ``lang`` (the other language where it has none yet)."""
    for key in ("name", "title", "question", "portal_name"):
        value = record.get(key)
        if isinstance(value, dict):
            for lg in (lang, "en", "ar"):
                if value.get(lg):
                    return str(value[lg])
    return str(record.get("id", ""))


def _live(model: type[KioskRecord]) -> Any:
    q = model.objects.filter(live=True).order_by("record_id")
    if model.kind == "product":
        q = q.select_related("category", "manufacturer").prefetch_related(
            "images__image", "outlets", "certifications__certification")
    elif model.kind in ("category", "news"):
        q = q.select_related("image")
    elif model.kind in _CHILDREN:
        q = q.prefetch_related(*_CHILDREN[model.kind])
    return q


# The ordered lists each kind's record holds (its inline panels), fetched with it.
_CHILDREN = {"guide": ("documents", "steps"), "poll": ("options",),
             "survey": ("questions__choices",),
             "site": ("office_hours", "holidays", "featured__product", "featured__news",
                      "screen_sign_videos__clip")}


def plan(central: Any) -> Plan:
    _check_default_database(central)
    records: dict[str, dict[str, dict]] = {}
    media: dict[str, KioskImage | KioskSignVideo] = {}
    problems: list[str] = []
    held: list[str] = []
    notes: list[str] = []
    for kind, model in KINDS.items():
        records[kind] = {}
        for obj in _live(model):
            notes.extend(f"{model._meta.verbose_name} “{obj}”: {n}" for n in obj.notes())
            found = obj.problems()
            if found:
                problems.extend(f"{model._meta.verbose_name} “{obj}”: {p}" for p in found)
                continue
            rec = obj.to_record()
            records[kind][obj.record_id] = rec
            for img in _images(obj):
                media[img.kiosk_sha256()] = img
            for clip in obj.clips():
                media[clip.sha256] = clip
        held += [f"{model._meta.verbose_name} “{obj}”"
                 for obj in model.objects.filter(live=False).order_by("record_id")[:50]]
    for row in central.list_records():
        if row["kind"] not in KINDS:
            records.setdefault(row["kind"], {})[row["id"]] = row["data"]
    problems += _catalogue_problems(records)
    pub = content.published_catalogue(central)
    live = pub.records if pub else {}
    lang = page_language()
    diffs = []
    for kind in protocol.RECORD_KINDS:
        new, old = records.get(kind, {}), live.get(kind, {})
        if not new and not old:
            continue
        d = KindDiff(kind)
        for rid, rec in new.items():
            if rid not in old:
                d.added.append((rid, label(rec, lang)))
            elif protocol.canonical_json(old[rid]) != protocol.canonical_json(rec):
                d.changed.append((rid, label(rec, lang)))
            else:
                d.unchanged += 1
        d.retired = [(rid, label(rec, lang)) for rid, rec in old.items() if rid not in new]
        diffs.append(d)
    return Plan(records, media, problems, diffs, pub.version if pub else None, held, notes)


def _images(obj: KioskRecord) -> list[KioskImage]:
    if obj.kind in ("category", "news"):
        return [obj.image] if obj.image_id else []
    if obj.kind == "product":
        return [p.image for p in obj.images.all() if p.image_id]
    return []


def _catalogue_problems(records: dict[str, dict[str, dict]]) -> list[str]:
    """The whole-catalogue rules (kiosk.protocol.Catalogue.check): a product's category, maker
    and certifications must be live too."""
    parsed: dict[str, dict[str, Any]] = {}
    out: list[str] = []
    for kind, by_id in records.items():
        for rid, data in by_id.items():
            try:
                parsed.setdefault(kind, {})[rid] = protocol.parse_record(kind, data)
            except protocol.ProtocolError as e:
                out.append(str(e))
    try:
        protocol.Catalogue(parsed).check()
    except protocol.ProtocolError as e:
        out.extend(p.strip() for p in str(e).split(";"))
    return out


def publish(central: Any, username: str, fingerprint: str | None,
            p: Plan | None = None) -> content.ReleaseInfo:
    """Publish the live snippets (and the other kinds' drafts) as the next release, if they
    are still exactly what the publisher saw (``fingerprint``; None: whatever is live now,
    which is what a scheduled publish sends at its time)."""
    p = p or plan(central)
    if fingerprint is not None and p.fingerprint != fingerprint:
        raise CentralError("The content changed since this page was opened. Look at the "
                           "changes again, then publish.", status=409)
    if p.problems:
        raise CentralError("Not published: " + "; ".join(p.problems[:10]), status=422)
    for sha, img in p.media.items():
        stored = central.save_media(img.read_bytes(), img.media_type or "")
        if stored != sha:
            raise CentralError(f"the file “{img.title}” changed while publishing; "
                               "publish again", status=409)
    managed = list(KINDS)
    central.replace_records(managed, [(kind, rec) for kind in managed
                                      for rec in p.records[kind].values()])
    return central.publish(published_by=username)


def _check_default_database(central: Any) -> None:
    if central.db != "default":
        raise CentralError("the CMS works on the server's own database (CENTRAL_DB_URL or "
                           "--db): open central with that one")
