"""Every write to outlets, organizations and articles: one durable action per use case.

Public actions are named `<entity>_<action>`, take keyword-only arguments, run in their
own durable transaction (`@transaction.atomic(durable=True)`), write inside the derived
data's hook (`publishing.hooks.corpus_write`) and record their history. Steps named
`<action>_<entity>` (`create_article`, `detect_mentions`) are the same writes without a
transaction of their own, for actions that compose them (an import, an admin save).
Revising an article re-anchors its passages, so that action is in `annotations.actions`.
"""
