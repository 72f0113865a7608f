"""Importing annotations made elsewhere (W3C Web Annotations, Hypothesis) as passages.

Along its seams: `formats` reads a file into neutral `Item`s (no database); `locate` finds
the articles, organizations and tags they name; `placing` puts each quote in its article
with the anchoring code; `action` is the one write, `annotations_import`. The management
command `import_annotations` and the editors' upload form (`views`) both call it.
"""
