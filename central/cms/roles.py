"""Central's roles (a Django group each, central.staff.ROLES) as Wagtail permissions, and the
approval workflow. Set after every migrate (post_migrate), adding what is missing and taking
nothing away:

- editor: into the CMS; adds and changes drafts of every kind, locks and unlocks them, adds,
  changes and chooses pictures; submits drafts to "Publisher approves". Can not publish.
- publisher: the same, and publishes (approves), unpublishes (retires) and deletes; is the
  "Publisher approves" task's group, so sees what waits for approval; publishes to kiosks.
- admin: as publisher.
- analyst: nothing in the CMS (feedback and results are in /admin).

A snippet goes live only when a publisher approves it (or publishes it themselves); "Publish
to kiosks" sends only live snippets, so a draft reaches kiosks only after approval."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

WORKFLOW_NAME = "Publisher approves / موافقة الناشر"
TASK_NAME = "Publisher approves / موافقة الناشر"
APPROVERS = ("publisher", "admin")
CMS_ROLES = ("editor", "publisher", "admin")

_EDIT = ("add", "change", "lock", "unlock")
_PUBLISH = ("publish", "delete")
_IMAGE_EDIT = ("add", "change", "choose")
_IMAGE_PUBLISH = ("delete",)


def record_permissions(role: str) -> tuple[str, ...]:
    return _EDIT + (_PUBLISH if role in APPROVERS else ())


def clip_permissions(role: str) -> tuple[str, ...]:
    """Sign-language clips (central/cms/videos.py): a library like the pictures' (no drafts of
    their own: a clip reaches kiosks only with an approved record that chooses it)."""
    return ("add", "change", "view") + (("delete",) if role in APPROVERS else ())


def image_permissions(role: str) -> tuple[str, ...]:
    return _IMAGE_EDIT + (_IMAGE_PUBLISH if role in APPROVERS else ())


def sync_after_migrate(app_config: Any, using: str = DEFAULT_DB_ALIAS, **_kw: Any) -> None:
    conn = connections[using]
    with conn.cursor() as cur:
        tables = set(conn.introspection.table_names(cur))
    needed = {"cms_product", "wagtailcore_workflow", "wagtailcore_groupapprovaltask",
              "wagtailcore_groupcollectionpermission", "auth_group"}
    if not needed <= tables:
        return  # migrated only part of the way (a test of older migrations)
    sync(using)


def sync(using: str = DEFAULT_DB_ALIAS) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, GroupCollectionPermission
    from wagtail.snippets.models import create_extra_permissions

    from central.cms.models import KINDS
    from central.cms.videos import KioskSignVideo

    cms = apps.get_app_config("cms")
    create_permissions(cms, verbosity=0, using=using)
    create_extra_permissions(cms, using=using)  # publish, lock, unlock (Wagtail's snippets)

    groups = {name: Group.objects.using(using).get_or_create(name=name)[0]
              for name in CMS_ROLES}
    perms = Permission.objects.using(using)
    access = perms.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    root = Collection.objects.using(using).filter(depth=1).first()
    # Wagtail checks pictures against wagtailimages.Image's permissions, whatever the image
    # model, per collection (here the root one: every picture).
    image_ct = ContentType.objects.db_manager(using).get_by_natural_key("wagtailimages", "image")
    for role, group in groups.items():
        wanted = list(access)
        for model in KINDS.values():
            ct = ContentType.objects.db_manager(using).get_for_model(model)
            codes = [f"{action}_{model._meta.model_name}" for action in record_permissions(role)]
            wanted += list(perms.filter(content_type=ct, codename__in=codes))
        clip_ct = ContentType.objects.db_manager(using).get_for_model(KioskSignVideo)
        wanted += list(perms.filter(content_type=clip_ct, codename__in=[
            f"{action}_kiosksignvideo" for action in clip_permissions(role)]))
        group.permissions.add(*wanted)
        if root is not None:
            codes = [f"{action}_image" for action in image_permissions(role)]
            for perm in perms.filter(content_type=image_ct, codename__in=codes):
                GroupCollectionPermission.objects.using(using).get_or_create(
                    group=group, collection=root, permission=perm)
    _ensure_workflow(using, [groups[r] for r in APPROVERS])
    _drop_wagtail_defaults(using)


def _drop_wagtail_defaults(using: str) -> None:
    """Wagtail's migrations make "Editors" and "Moderators" groups and a "Moderators approval"
    workflow for pages; central has its own roles and no pages, and "Editors" beside "editor"
    would only confuse. Removed while nobody is in them."""
    from django.contrib.auth.models import Group
    from wagtail.models import Task, Workflow

    Group.objects.using(using).filter(name__in=("Editors", "Moderators"),
                                      user__isnull=True).delete()
    for wf in Workflow.objects.using(using).filter(name="Moderators approval"):
        tasks = list(Task.objects.using(using).filter(workflow_tasks__workflow=wf))
        if not wf.workflow_states.exists():
            wf.delete()
            for t in tasks:
                if not t.workflow_tasks.exists():
                    t.delete()


def _ensure_workflow(using: str, approvers: list) -> None:
    """The workflow every CMS kind goes through. Made once (staff may rename it or change its
    tasks in Wagtail's Workflows page); a kind with no workflow is given it again, because a
    draft must never reach kiosks without a publisher's approval."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask

    from central.cms.models import KINDS

    workflow = Workflow.objects.using(using).filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.using(using).create(name=WORKFLOW_NAME, active=True)
        task = GroupApprovalTask(name=TASK_NAME, active=True)
        task.save(using=using)
        task.groups.set(approvers)
        WorkflowTask.objects.using(using).create(workflow=workflow, task=task, sort_order=0)
    for model in KINDS.values():
        ct = ContentType.objects.db_manager(using).get_for_model(model)
        WorkflowContentType.objects.using(using).get_or_create(content_type=ct,
                                                               defaults={"workflow": workflow})
