"""`briefgen ingest`: from a raw article (pasted text or a saved page) to a draft source record.

The steps, each a module with typed data between them: `rawinput` (read, bound, decode, strip invisible
characters), `page` (saved HTML: metadata and main text), `printed` (bylines, credits, datelines and
printed dates), `paragraphs` (the splitting rule), `attribution` (relays, attributions, quotes),
`mentions` (actor names of the desk), `language`, `draft` (the record and its `ingest:` block) and
`deskfiles` (drafts/ on disk, idempotence, --accept). This package's `__init__` imports nothing, so the
record model can import `block` without loading the rest.
"""
