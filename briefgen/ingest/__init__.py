"""`briefgen ingest`: from a raw article (pasted text or a saved page) to a draft source record.

The steps, each a module with typed data between them: `rawinput` (read, bound, decode, strip invisible
characters), `page` (saved HTML: metadata and main text), `printed` (bylines, credits, datelines and
printed dates), `paragraphs` (the splitting rule), `gazetteer` and `names` (the desk's outlets and
actors), `attribution` (relays, attributions, quotes), `mentions` (actor names in the text),
`language`, `draft` (the record and its `ingest:` block), `deskfiles` (drafts/ on disk, idempotence,
--accept), `drafts` (listing drafts for validate) and `command` (the two commands). This package's
`__init__` imports nothing, so that the record model can import `block` without loading the rest.
"""
