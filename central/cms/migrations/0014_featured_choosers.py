# Staff pick the idle screen's featured items with the snippet chooser: each row names its
# product or news item by a foreign key, where it had a kind and a typed record id.

import django.db.models.deletion
from django.db import migrations, models

KINDS = ("product", "news")


def _snippet_ids(apps, db):
    """kind -> record id -> the snippet's primary key, and back."""
    by_record = {kind: dict(apps.get_model("cms", "News" if kind == "news" else "Product")
                            .objects.using(db).values_list("record_id", "pk"))
                 for kind in KINDS}
    by_pk = {kind: {pk: rid for rid, pk in ids.items()} for kind, ids in by_record.items()}
    return by_record, by_pk


def _site_revisions(apps, db):
    """The site info's revisions (its live one and any draft waiting for approval): Wagtail
    edits and publishes from these, so their rows change as the table's do."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    ct = ContentType.objects.using(db).filter(app_label="cms", model="siteinfo").first()
    return Revision.objects.using(db).filter(content_type=ct) if ct is not None else []


def ids_to_choosers(apps, schema_editor):
    """Each row's (item_kind, item_id) becomes its product or news foreign key, found by the
    snippet's record id; a row naming nothing the CMS has is dropped (kiosks skip it now)."""
    db = schema_editor.connection.alias
    by_record, _ = _snippet_ids(apps, db)
    SiteFeatured = apps.get_model("cms", "SiteFeatured")
    for row in SiteFeatured.objects.using(db).all():
        kind = "news" if row.item_kind == "news" else "product"
        pk = by_record[kind].get((row.item_id or "").strip())
        if pk is None:
            row.delete()
            continue
        setattr(row, f"{kind}_id", pk)
        row.save(update_fields=[f"{kind}_id"])
    for rev in _site_revisions(apps, db):
        content = rev.content or {}
        rows = []
        for r in content.get("featured") or ():
            kind = "news" if r.get("item_kind") == "news" else "product"
            pk = by_record[kind].get((r.get("item_id") or "").strip())
            if pk is not None:
                rows.append({k: v for k, v in r.items() if k not in ("item_kind", "item_id")}
                            | {"product": None, "news": None, kind: pk})
        if "featured" in content:
            content["featured"] = rows
            rev.content = content
            rev.save(update_fields=["content"])


def choosers_to_ids(apps, schema_editor):
    """Back: each row's kind and record id from the snippet it names."""
    db = schema_editor.connection.alias
    _, by_pk = _snippet_ids(apps, db)
    SiteFeatured = apps.get_model("cms", "SiteFeatured")
    for row in SiteFeatured.objects.using(db).all():
        kind = "news" if row.news_id else "product"
        rid = by_pk[kind].get(row.news_id if row.news_id else row.product_id)
        if rid is None:
            row.delete()
            continue
        row.item_kind, row.item_id = kind, rid
        row.save(update_fields=["item_kind", "item_id"])
    for rev in _site_revisions(apps, db):
        content = rev.content or {}
        if "featured" not in content:
            continue
        rows = []
        for r in content["featured"] or ():
            kind = "news" if r.get("news") else "product"
            rid = by_pk[kind].get(r.get(kind))
            if rid is not None:
                rows.append({k: v for k, v in r.items() if k not in KINDS}
                            | {"item_kind": kind, "item_id": rid})
        content["featured"] = rows
        rev.content = content
        rev.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0013_governorates'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.AddField(
            model_name='sitefeatured',
            name='news',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cms.news', verbose_name='News item'),
        ),
        migrations.AddField(
            model_name='sitefeatured',
            name='product',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cms.product', verbose_name='Product'),
        ),
        migrations.RunPython(ids_to_choosers, choosers_to_ids),
        migrations.RemoveField(
            model_name='sitefeatured',
            name='item_id',
        ),
        migrations.RemoveField(
            model_name='sitefeatured',
            name='item_kind',
        ),
    ]
