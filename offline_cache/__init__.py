"""What the kiosk remembers, without Kivy: verified content snapshots with browse and search
(``store.ContentStore``), media files named by hash (``blobs.BlobStore``), what visitors said
until central has it (``outbox.Outbox``), and the sync that fills the store (``sync``).

The search normaliser (``normalize.normalize``) is a pure function used on both sides of the
index, so the same forgiveness applies to what is stored and to what a visitor types.
"""
