"""Products as a spreadsheet: export every product (CSV or XLSX), import a file of them as
drafts. The import is checked row by row first (row number, column, problem, in the words of
kiosk.protocol's rules and the CMS's labels); a file with any bad row is applied not at all,
and a good one all at once, in one transaction. Imported rows become drafts (a new revision of
an existing product, a new unpublished product otherwise): they reach kiosks only once they are
published or approved and then published to kiosks, like any edit.

openpyxl reads and writes XLSX; CSV is the standard library's. (django-import-export was the
other candidate: it saves rows straight into the table, past Wagtail's revisions and approval,
and reports errors in its own terms; what is needed here is a draft per row and a report in
the CMS's words, so only the file format is borrowed.)

Limits: MAX_UPLOAD_BYTES per file, MAX_ROWS rows, MAX_CELL characters per cell, and an XLSX
whose unpacked parts exceed MAX_XLSX_UNPACKED is refused before it is parsed (a zip bomb).
Cells starting with = + - @ tab or CR are written to CSV with a ' first (a spreadsheet would
run them as formulas); XLSX cells are written as text, never as formulas. An import takes the
' off again, so an exported file imports unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from central.errors import CentralError
from kiosk import protocol

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 10_000
MAX_XLSX_UNPACKED = 40 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = ("record_id", "code", "name_ar", "name_en", "description_ar", "description_en",
           "category", "manufacturer", "governorate", "certifications", "portal_url")
REQUIRED_COLUMNS = ("record_id",)
# A wire-format field's problem, shown against its column.
_FIELD_COLUMN = {"id": "record_id", "code": "code", "name.ar": "name_ar", "name.en": "name_en",
                 "description.ar": "description_ar", "description.en": "description_en",
                 "category_id": "category", "manufacturer_id": "manufacturer",
                 "governorate": "governorate", "certifications": "certifications",
                 "portal_url": "portal_url"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RowReport:
    number: int  # the spreadsheet's row number (the header is row 1)
    record_id: str
    action: str = ""  # create, update, unchanged
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, problem)


@dataclass
class ImportReport:
    name: str
    digest: str
    rows: list[RowReport]
    file_problems: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_problems and not any(r.problems for r in self.rows)

    @property
    def bad_rows(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.problems)


# ---------------------------------------------------------------------------------------------
# Export


def _export_rows() -> list[list[str]]:
    from central.cms.models import Product

    rows = []
    for p in Product.objects.order_by("record_id"):
        latest = p.get_latest_revision_as_object() if p.latest_revision_id else p
        rows.append([
            latest.record_id, latest.code, latest.name_ar, latest.name_en,
            latest.description_ar, latest.description_en,
            latest.category.record_id if latest.category_id else "",
            latest.manufacturer.record_id if latest.manufacturer_id else "",
            latest.governorate,
            " ".join(c.certification.record_id for c in latest.certifications.all()
                     if c.certification_id),
            latest.portal_url])
    return rows


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_csv() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for row in _export_rows():
        w.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM: spreadsheets read UTF-8


def export_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("products")
    ws.append(list(COLUMNS))
    for row in _export_rows():
        cells = []
        for v in row:
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading a file


def read_table(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV or XLSX file, as text; CentralError with a sentence
    when it is neither, or too big."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise CentralError(_("The file is %(n)s bytes; at most %(max)s bytes are accepted.")
                           % {"n": len(data), "max": MAX_UPLOAD_BYTES}, status=413)
    if not data:
        raise CentralError(_("The file is empty."), status=422)
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data)
    elif lower.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise CentralError(_("Upload a .csv or .xlsx file."), status=422)
    table = [[_unneutralise(c) for c in row] for row in table
             if any(c.strip() for c in row)]
    if not table:
        raise CentralError(_("The file has no header row."), status=422)
    if len(table) - 1 > MAX_ROWS:
        raise CentralError(_("The file has %(n)s rows; at most %(max)s are accepted at once.")
                           % {"n": len(table) - 1, "max": MAX_ROWS}, status=413)
    header = [h.strip().lower() for h in table[0]]
    return header, table[1:]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > MAX_CELL:
        raise CentralError(_("A cell has more than %(max)s characters.") % {"max": MAX_CELL},
                           status=422)
    return text


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CentralError(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8”."),
                           status=422) from None
    try:
        rows = []
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if i > MAX_ROWS + 1:
                raise CentralError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS},
                                   status=413)
            rows.append([_cell(c) for c in row])
        return rows
    except csv.Error as e:
        raise CentralError(_("The CSV file can not be read: %(e)s") % {"e": e},
                           status=422) from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise CentralError(_("The file is not an XLSX workbook."), status=422) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise CentralError(_("The workbook unpacks to %(n)s bytes; at most %(max)s.")
                           % {"n": unpacked, "max": MAX_XLSX_UNPACKED}, status=413)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise CentralError(_("The file is not an XLSX workbook."), status=422) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i > MAX_ROWS + 1:
                raise CentralError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS},
                                   status=413)
            rows.append([_cell(v) for v in row[:len(COLUMNS) + 20]])
        return rows
    finally:
        wb.close()


def _unneutralise(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


# ---------------------------------------------------------------------------------------------
# Checking and applying


def check(data: bytes, name: str) -> tuple[ImportReport, list[dict]]:
    """The report, and the rows as column -> text (what ``apply`` takes)."""
    digest = hashlib.sha256(data).hexdigest()
    report = ImportReport(name[:200], digest, [])
    try:
        header, table = read_table(data, name)
    except CentralError as e:
        report.file_problems.append(e.message)
        return report, []
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        report.file_problems.append(_("Unknown columns: %(cols)s. The columns are: %(all)s.")
                                    % {"cols": ", ".join(unknown), "all": ", ".join(COLUMNS)})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.file_problems.append(_("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)})
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        report.file_problems.append(_("A column appears twice in the header."))
    if report.file_problems:
        return report, []
    rows = [{h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}
            for row in table]
    report.rows = _check_rows(rows)
    return report, rows


def _check_rows(rows: list[dict]) -> list[RowReport]:
    from central.cms.models import (
        Category,
        Certification,
        Manufacturer,
        Product,
        record_id_validator,
    )

    categories = set(Category.objects.values_list("record_id", flat=True))
    makers = set(Manufacturer.objects.values_list("record_id", flat=True))
    certs = set(Certification.objects.values_list("record_id", flat=True))
    existing = {p.record_id: p for p in Product.objects.all()}
    seen: dict[str, int] = {}
    out = []
    for i, row in enumerate(rows):
        number = i + 2
        rid = row.get("record_id", "")
        rep = RowReport(number, rid)
        out.append(rep)
        try:
            record_id_validator(rid)
        except Exception:  # noqa: BLE001 - Django's ValidationError
            rep.problems.append(("record_id", _("Use 1-64 lowercase letters, digits, '-' and "
                                                "'_', starting with a letter or digit.")
                                 if rid else _("is missing")))
            continue
        if rid in seen:
            rep.problems.append(("record_id", _("the same record id is on row %(n)s too")
                                 % {"n": seen[rid]}))
            continue
        seen[rid] = number
        current = existing.get(rid)
        base = _current_values(current) if current is not None else {}
        values = {**base, **{k: v for k, v in row.items() if k != "record_id"}}
        values["record_id"] = rid
        for col, value in (("category", values.get("category", "")),
                           ("manufacturer", values.get("manufacturer", ""))):
            if value and value not in (categories if col == "category" else makers):
                rep.problems.append((col, _("there is no %(kind)s “%(id)s” in the CMS")
                                     % {"kind": _(col), "id": value}))
        for c in values.get("certifications", "").split():
            if c not in certs:
                rep.problems.append(("certifications",
                                     _("there is no certification “%(id)s” in the CMS")
                                     % {"id": c}))
        rep.problems.extend(_wire_problems(values))
        rep.action = ("create" if current is None else
                      "unchanged" if values == {**base, "record_id": rid} else "update")
    return out


def _current_values(p: Any) -> dict[str, str]:
    latest = p.get_latest_revision_as_object() if p.latest_revision_id else p
    return {"code": latest.code, "name_ar": latest.name_ar, "name_en": latest.name_en,
            "description_ar": latest.description_ar, "description_en": latest.description_en,
            "category": latest.category.record_id if latest.category_id else "",
            "manufacturer": latest.manufacturer.record_id if latest.manufacturer_id else "",
            "governorate": latest.governorate,
            "certifications": " ".join(c.certification.record_id
                                       for c in latest.certifications.all()
                                       if c.certification_id),
            "portal_url": latest.portal_url}


def _wire_problems(v: dict[str, str]) -> list[tuple[str, str]]:
    """What kiosk.protocol says of the row's fields (pictures and shops are kept as they are in
    the CMS, so they are not checked here)."""
    record = {"id": v["record_id"], "code": v.get("code", ""),
              "name": {"ar": v.get("name_ar", ""), "en": v.get("name_en", "")},
              "description": {"ar": v.get("description_ar", ""),
                              "en": v.get("description_en", "")},
              "category_id": v.get("category", ""), "manufacturer_id": v.get("manufacturer", ""),
              "governorate": v.get("governorate", ""),
              "certifications": v.get("certifications", "").split(),
              "portal_url": v.get("portal_url", "")}
    try:
        protocol.RECORD_MODELS["product"].model_validate(record)
    except PydanticError as e:
        out = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if not str(p).isdigit())
            column = _FIELD_COLUMN.get(loc, loc or "record_id")
            out.append((column, _explain(err, v)))
        return out
    except ValueError as e:
        return [("", str(e))]
    return []


def _explain(err: dict, v: dict) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind in ("missing", "string_too_short") or value in ("", None):
        return _("is missing")
    if kind in ("string_too_long", "too_long"):
        return _("is too long (at most %(n)s)") % {"n": ctx.get("max_length", "?")}
    if kind == "string_pattern_mismatch":
        loc = ".".join(str(p) for p in err.get("loc", ()))
        if loc == "code":
            return _("is not in the right form. Capital letters, digits and '-', 2-32 "
                     "characters, e.g. MIO-DT-0001.")
        return _("is not in the right form")
    if kind == "literal_error":
        return _("is not one of the allowed values")
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    return msg


def apply(rows: list[dict], user: Any) -> ImportReport:
    """Check again (the CMS may have changed since), then all rows as drafts or none."""
    from wagtail.log_actions import log

    from central.cms.models import (
        Category,
        Certification,
        Manufacturer,
        Product,
        ProductCertification,
    )

    reports = _check_rows(rows)
    report = ImportReport("", "", reports)
    if not report.ok:
        return report
    categories = {c.record_id: c for c in Category.objects.all()}
    makers = {m.record_id: m for m in Manufacturer.objects.all()}
    certs = {c.record_id: c for c in Certification.objects.all()}
    with transaction.atomic():
        for rep, row in zip(reports, rows, strict=True):
            if rep.action == "unchanged":
                continue
            current = Product.objects.filter(record_id=rep.record_id).first()
            if current is None:
                obj = Product(record_id=rep.record_id, live=False)
            else:
                obj = (current.get_latest_revision_as_object() if current.latest_revision_id
                       else current)
            for col in ("code", "name_ar", "name_en", "description_ar", "description_en",
                        "governorate", "portal_url"):
                if col in row:
                    setattr(obj, col, row[col])
            if "category" in row:
                obj.category = categories.get(row["category"])
            if "manufacturer" in row:
                obj.manufacturer = makers.get(row["manufacturer"])
            if "certifications" in row:
                obj.certifications = [ProductCertification(certification=certs[c], sort_order=i)
                                      for i, c in enumerate(row["certifications"].split())]
            if current is None or not current.live:
                obj.save()
            revision = obj.save_revision(user=user, log_action=False)
            log(instance=obj, action="wagtail.create" if current is None else "wagtail.edit",
                user=user, revision=revision)
    report.applied = True
    return report
