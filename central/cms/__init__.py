"""The CMS: Wagtail's admin under /cms/ for the content kiosks show.

Each record kind is a typed Django model registered as a Wagtail snippet (drafts, revisions,
the "Publisher approves" workflow, locking, preview), with Arabic and English side by side, and
``to_record()`` building the wire-format JSON that kiosk.protocol validates. "Publish to kiosks"
(central.cms.kiosk) writes the live, approved snippets into central's drafts (the ``record``
table) and signs them as a release with central.content.publish, after showing the diff
against the live release. See central/README.md, "The CMS"."""
