"""Every write to coding rounds: one durable action per use case (`<entity>_<action>`),
each in its own transaction, inside the corpus write hook (a round changes what its
articles' passages show, and so the counts and cached pages), with its history record.

`round_create`, `round_update`, `round_mark_done`, `round_close` (`rounds.actions.rounds`);
the adjudication's `consensus_keep`, `consensus_merge`, `consensus_edit`,
`consensus_reject` (`rounds.actions.consensus`).
"""

from rounds.actions.consensus import (
    consensus_edit,
    consensus_keep,
    consensus_merge,
    consensus_reject,
)
from rounds.actions.rounds import round_close, round_create, round_mark_done, round_update

__all__ = [
    "consensus_edit",
    "consensus_keep",
    "consensus_merge",
    "consensus_reject",
    "round_close",
    "round_create",
    "round_mark_done",
    "round_update",
]
