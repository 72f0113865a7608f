"""Every write to passages, tags and tokens, and the revision of an article (which
re-anchors its passages): one durable action per use case.

Public actions are named `<entity>_<action>`, take keyword-only arguments, run in their
own durable transaction (`@transaction.atomic(durable=True)`), write inside the derived
data's hook (`publishing.hooks.corpus_write`) and record their history. Steps named
`<action>_<entity>` (`reanchor_passages`, `revise_article`) are the same writes without a
transaction of their own, for actions that compose them. They validate (raising
`ValidationError` with a `code`) and check permissions (raising `PermissionDenied`), so
a refusal writes nothing.
"""
