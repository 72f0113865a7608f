"""What the suggestions' counts page shows, one row per kind."""

from dataclasses import dataclass

from suggestions.models import SuggestionDecision


@dataclass(frozen=True, slots=True)
class KindRow:
    kind: str
    label: str
    accepted: int
    dismissed: int

    @property
    def answered(self) -> int:
        return self.accepted + self.dismissed

    @property
    def accepted_share(self) -> str:
        """Accepted as a share of the answered ones ("75%"), or "–" when none was."""
        return f"{self.accepted / self.answered:.0%}" if self.answered else "–"


def kind_rows(tallies: dict[str, dict[str, int]]) -> list[KindRow]:
    return [
        KindRow(kind, label, tallies[kind]["accepted"], tallies[kind]["dismissed"])
        for kind, label in SuggestionDecision.Kind.choices
    ]
