"""The read side of the content store: what the screens ask for (categories, products, search,
news, polls, the site...), always from the active snapshot only."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from kiosk.protocol import (
    Category,
    Certification,
    Faq,
    GovernorateInfo,
    GuideEntry,
    Manufacturer,
    Name,
    News,
    Policy,
    Poll,
    Product,
    SiteInfo,
    Survey,
    parse_record,
)
from offline_cache.db import SQLiteFile
from offline_cache.search import FTS_WEIGHTS, match_expression, ranking_key

log = logging.getLogger(__name__)

Lang = Literal["ar", "en"]


# What the screens get back


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in Arabic and English, read like ``protocol.Name`` (``.ar``, ``.en``). Lists use
    it instead of the validating model because a search answers on every keystroke."""

    ar: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.ar if lang == "ar" else self.en


@dataclass(frozen=True)
class CategoryItem:
    id: str
    name: Name
    product_count: int
    category: Category


@dataclass(frozen=True)
class GovernorateItem:
    id: str
    name: Bilingual
    product_count: int


@dataclass(frozen=True)
class ManufacturerItem:
    id: str
    name: Bilingual
    governorate: str
    product_count: int


@dataclass(frozen=True)
class ProductSummary:
    """One line of a product list or of search results."""

    id: str
    code: str
    name: Bilingual
    category_id: str
    manufacturer_id: str
    manufacturer_name: Bilingual
    governorate: str
    image_blob: str | None
    image_alt: Bilingual | None


@dataclass(frozen=True)
class ProductPage:
    items: list[ProductSummary]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class SearchResults:
    query: str
    items: list[ProductSummary]
    total: int

    @property
    def product_ids(self) -> list[str]:
        return [p.id for p in self.items]


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    category: Category | None
    manufacturer: Manufacturer | None
    governorate: GovernorateInfo | None
    certifications: list[Certification]


_LANGS = ("ar", "en")
_SUMMARY_COLS = (
    "p.id, p.code, p.name_ar, p.name_en, p.category_id, p.manufacturer_id, p.maker_ar, "
    "p.maker_en, p.governorate, p.image_blob, p.image_alt_ar, p.image_alt_en"
)
_ACTIVE = "(SELECT snap_id FROM snapshot WHERE state = 'active')"


def _name(ar: str, en: str) -> Bilingual:
    return Bilingual(ar, en)


def _summary(row: tuple) -> ProductSummary:
    alt = Bilingual(row[10], row[11]) if row[9] else None
    return ProductSummary(
        id=row[0], code=row[1], name=_name(row[2], row[3]), category_id=row[4],
        manufacturer_id=row[5], manufacturer_name=_name(row[6], row[7]), governorate=row[8],
        image_blob=row[9], image_alt=alt,
    )


def _lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"lang must be 'ar' or 'en', not {lang!r}")
    return lang


class ContentQueries(SQLiteFile):
    """Answers the screens' questions from the browse tables and the active snapshot's records;
    the half of ``ContentStore`` that only reads."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__(path)
        self._parsed: dict[str, Any] = {}

    # -- records of the active snapshot ----------------------------------------------------

    def _parse(self, kind: str, sha: str, body: bytes) -> Any:
        # Records are immutable by hash, so a parsed one can be reused forever.
        rec = self._parsed.get(sha)
        if rec is None:
            rec = parse_record(kind, json.loads(body))
            if len(self._parsed) > 4096:
                self._parsed.clear()
            self._parsed[sha] = rec
        return rec

    def _records(self, c: sqlite3.Connection, kind: str) -> list[Any]:
        return [self._parse(kind, sha, body) for sha, body in c.execute(
            "SELECT r.sha, r.body FROM snapshot_record sr JOIN record r ON r.sha = sr.sha "
            f"WHERE sr.snap_id = {_ACTIVE} AND sr.kind = ?", (kind,))]

    def _record(self, c: sqlite3.Connection, kind: str, record_id: str) -> Any:
        row = c.execute(
            "SELECT r.sha, r.body FROM snapshot_record sr JOIN record r ON r.sha = sr.sha "
            f"WHERE sr.snap_id = {_ACTIVE} AND sr.kind = ? AND sr.record_id = ?",
            (kind, record_id)).fetchone()
        return self._parse(kind, row[0], row[1]) if row else None

    def first_with_sign_video(self, kind: str) -> str | None:
        """The id of the first record of ``kind`` (by id) that carries a sign-language clip,
        or None: for audits, which open the clip's panel. The key is looked for in the
        canonical JSON (a quote inside a text is escaped there, so text can not fake it)."""
        with self._read() as c:
            row = c.execute(
                "SELECT sr.record_id FROM snapshot_record sr JOIN record r ON r.sha = sr.sha "
                f"WHERE sr.snap_id = {_ACTIVE} AND sr.kind = ? "
                "AND instr(r.body, CAST('\"sign_video\":' AS BLOB)) > 0 "
                "ORDER BY sr.record_id LIMIT 1", (kind,)).fetchone()
        return row[0] if row else None

    def record(self, kind: str, record_id: str) -> Any:
        """Any one record of the active snapshot, as its protocol model, or None."""
        with self._read() as c:
            return self._record(c, kind, record_id)

    # -- browsing --------------------------------------------------------------------------

    def categories(self) -> list[CategoryItem]:
        """Categories in their editorial order, each with how many products it holds."""
        with self._read() as c:
            rows = c.execute("SELECT v.id, v.sha, v.product_count, r.body FROM v_category v "
                             "JOIN record r ON r.sha = v.sha ORDER BY v.ord, v.id").fetchall()
        out = []
        for rid, sha, n, body in rows:
            cat = self._parse("category", sha, body)
            out.append(CategoryItem(id=rid, name=cat.name, product_count=n, category=cat))
        return out

    def governorates(self) -> list[GovernorateItem]:
        with self._read() as c:
            rows = c.execute("SELECT id, name_ar, name_en, product_count FROM v_governorate "
                             "ORDER BY ord, id").fetchall()
        return [GovernorateItem(id=r[0], name=_name(r[1], r[2]), product_count=r[3])
                for r in rows]

    def manufacturers(self, governorate: str | None = None,
                      lang: Lang = "ar") -> list[ManufacturerItem]:
        """Makers sorted by name in ``lang``, optionally only those in one governorate."""
        col = f"key_{_lang(lang)}"
        where, args = ("WHERE governorate = ?", (governorate,)) if governorate else ("", ())
        with self._read() as c:
            rows = c.execute(
                f"SELECT id, name_ar, name_en, governorate, product_count FROM v_manufacturer "
                f"{where} ORDER BY {col}, id", args).fetchall()
        return [ManufacturerItem(id=r[0], name=_name(r[1], r[2]), governorate=r[3],
                                 product_count=r[4]) for r in rows]

    def products(self, *, category: str | None = None, governorate: str | None = None,
                 manufacturer: str | None = None, offset: int = 0, limit: int = 20,
                 lang: Lang = "ar") -> ProductPage:
        """One page of products, sorted by name in ``lang``, with the total for the filter."""
        offset, limit = max(0, int(offset)), max(0, min(int(limit), 500))
        conds, args = [], []
        for col, val in (("category_id", category), ("governorate", governorate),
                         ("manufacturer_id", manufacturer)):
            if val is not None:
                conds.append(f"p.{col} = ?")
                args.append(val)
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        order = f"p.key_{_lang(lang)}, p.id"
        with self._read() as c:
            total = c.execute(f"SELECT count(*) FROM v_product p {where}", args).fetchone()[0]
            rows = c.execute(f"SELECT {_SUMMARY_COLS} FROM v_product p {where} "
                             f"ORDER BY {order} LIMIT ? OFFSET ?",
                             (*args, limit, offset)).fetchall()
        return ProductPage(items=[_summary(r) for r in rows], total=total, offset=offset,
                           limit=limit)

    def product(self, product_id: str) -> ProductDetail | None:
        """One product with its maker, category, governorate and certifications resolved."""
        with self._read() as c:
            p = self._record(c, "product", product_id)
            if p is None:
                return None
            certs = [self._record(c, "certification", cid) for cid in p.certifications]
            return ProductDetail(
                product=p,
                category=self._record(c, "category", p.category_id),
                manufacturer=self._record(c, "manufacturer", p.manufacturer_id),
                governorate=self._record(c, "governorate", p.governorate),
                certifications=[x for x in certs if x is not None],
            )

    def newest_products(self, limit: int = 8) -> list[ProductSummary]:
        """Products with a picture, newest first: those the active snapshot added (not in the
        previous one) before the rest, then by id from the highest (the wire format carries no
        date for products; ids are given in the order staff add them)."""
        limit = max(0, min(int(limit), 50))
        with self._read() as c:
            rows = c.execute(
                f"SELECT {_SUMMARY_COLS} FROM v_product p WHERE p.image_blob IS NOT NULL "
                "ORDER BY p.id IN (SELECT record_id FROM snapshot_record WHERE kind = 'product' "
                "AND snap_id = (SELECT snap_id FROM snapshot WHERE state = 'previous')), "
                "p.id DESC LIMIT ?", (limit,)).fetchall()
        return [_summary(r) for r in rows]

    def maker_pictures(self) -> dict[str, tuple[str, Bilingual]]:
        """manufacturer id -> (blob, alt) of the first of its products (by English name) that
        has a picture."""
        with self._read() as c:
            rows = c.execute(
                "SELECT manufacturer_id, image_blob, image_alt_ar, image_alt_en, min(key_en) "
                "FROM v_product WHERE image_blob IS NOT NULL GROUP BY manufacturer_id"
            ).fetchall()
        return {r[0]: (r[1], Bilingual(r[2], r[3])) for r in rows}

    def product_count(self) -> int:
        with self._read() as c:
            return c.execute("SELECT count(*) FROM v_product").fetchone()[0]

    # -- reading ---------------------------------------------------------------------------

    def news(self) -> list[News]:
        """News, newest first."""
        with self._read() as c:
            items = self._records(c, "news")
        return sorted(items, key=lambda n: (-n.published_on.toordinal(), n.id))

    def faq(self) -> list[Faq]:
        with self._read() as c:
            return sorted(self._records(c, "faq"), key=lambda f: (f.order, f.id))

    def guide(self) -> list[GuideEntry]:
        with self._read() as c:
            return sorted(self._records(c, "guide"), key=lambda g: (g.order, g.id))

    def policies(self) -> list[Policy]:
        with self._read() as c:
            return sorted(self._records(c, "policy"), key=lambda p: (p.order, p.id))

    def policy(self, policy_id: str) -> Policy | None:
        return self.record("policy", policy_id)

    def polls(self, at: datetime | None = None) -> list[Poll]:
        """Polls open at ``at`` (default: now), the one closing soonest first."""
        at = at or datetime.now(UTC)
        with self._read() as c:
            polls = self._records(c, "poll")
        return sorted((p for p in polls if p.opens_at <= at < p.closes_at),
                      key=lambda p: (p.closes_at, p.id))

    def poll(self, poll_id: str) -> Poll | None:
        return self.record("poll", poll_id)

    def surveys(self) -> list[Survey]:
        with self._read() as c:
            return sorted(self._records(c, "survey"), key=lambda s: s.id)

    def survey(self, survey_id: str | None = None) -> Survey | None:
        """The survey with ``survey_id``, or the first one when no id is given."""
        if survey_id is not None:
            return self.record("survey", survey_id)
        surveys = self.surveys()
        return surveys[0] if surveys else None

    def site(self) -> SiteInfo | None:
        return self.record("site", "site")

    # -- search ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 20, offset: int = 0) -> SearchResults:
        """Products whose name, maker or code matches what the visitor has typed so far.

        Names that are the query or start with it come first, in name order (an exact name is
        the first of these); then every other match by bm25 relevance.
        """
        expr = match_expression(query)
        limit, offset = max(0, min(int(limit), 200)), max(0, int(offset))
        if expr is None:
            return SearchResults(query=query, items=[], total=0)
        key = ranking_key(query)
        try:
            with self._read() as c:
                total = c.execute("SELECT count(*) FROM product_fts WHERE product_fts MATCH ?",
                                  (expr,)).fetchone()[0]
                rowids = self._search_page(c, expr, key, offset, limit) if total else []
                rows = {r[0]: r[1:] for r in c.execute(
                    f"SELECT p.rowid, {_SUMMARY_COLS} FROM v_product p WHERE p.rowid IN "
                    f"({','.join('?' * len(rowids))})", rowids)} if rowids else {}
        except sqlite3.OperationalError:
            # The expression is built from plain quoted words, so this should never happen;
            # a visitor typing must still never see an error.
            log.exception("search failed for %r (expression %r)", query, expr)
            return SearchResults(query=query, items=[], total=0)
        return SearchResults(query=query, items=[_summary(rows[r]) for r in rowids],
                             total=total)

    def _search_page(self, c: sqlite3.Connection, expr: str, key: str, offset: int,
                     limit: int) -> list[int]:
        # Ranking every match by name would cost a row lookup per match (thousands for the
        # first letters typed). Names that start with the query come straight from the name
        # indexes in order instead, and bm25 ranks only the rest inside the FTS index.
        hi = key + "\U0010ffff"
        head: dict[int, str] = {}
        for col in ("key_ar", "key_en"):
            for rowid, k in c.execute(
                    f"SELECT rowid, {col} FROM v_product WHERE {col} >= ? AND {col} < ? "
                    f"ORDER BY {col}, id LIMIT ?", (key, hi, offset + limit)):
                head[rowid] = min(k, head.get(rowid, k))
        page = sorted(head, key=lambda r: (head[r], r))[offset:offset + limit]
        if len(page) == limit:
            return page
        starts_with = ("SELECT rowid FROM v_product WHERE key_ar >= :key AND key_ar < :hi "
                       "UNION SELECT rowid FROM v_product WHERE key_en >= :key AND key_en < :hi")
        n_head = c.execute(f"SELECT count(*) FROM ({starts_with})",
                           {"key": key, "hi": hi}).fetchone()[0]
        # bm25 says nothing when one letter matches half the catalogue; skip it there.
        weights = ", ".join(map(str, FTS_WEIGHTS))
        order = f"bm25(product_fts, {weights}), rowid" if len(key) > 1 else "rowid"
        tail = c.execute(
            f"SELECT rowid FROM product_fts WHERE product_fts MATCH :expr AND rowid NOT IN "
            f"({starts_with}) ORDER BY {order} LIMIT :n OFFSET :skip",
            {"expr": expr, "key": key, "hi": hi, "n": limit - len(page),
             "skip": max(0, offset - n_head)}).fetchall()
        return page + [r[0] for r in tail]
