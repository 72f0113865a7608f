"""Agreement between the coders of a round: Krippendorff's unitizing alpha per tag and over
the tags (`unitizing`), agreement on attribution (`attribution`), and the read side that
feeds them from the database (`reads`)."""

from rounds.agreement.reads import annotator_agreement, round_agreement

__all__ = ["annotator_agreement", "round_agreement"]
