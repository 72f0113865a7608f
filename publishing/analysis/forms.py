"""The parameters `/analysis/` adds to the filters of `/passages/`: `rollup`, and for the
CSV `rows` and `cols`. Errors carry codes (`same_dimension`, `invalid_choice`...)."""

from django import forms
from django.core.exceptions import ValidationError

from publishing.analysis.crosstab import DIMENSIONS
from publishing.filters import CheckedForm

DIMENSION_CHOICES = [(name, name) for name in DIMENSIONS]


class RollupForm(CheckedForm):
    rollup = forms.TypedChoiceField(
        label="Count sub-tags in their parents",
        choices=[("", "no"), ("0", "no"), ("1", "yes")],
        coerce=lambda value: value == "1",
        empty_value=False,
        required=False,
    )


class CrosstabForm(RollupForm):
    rows = forms.ChoiceField(label="Rows", choices=DIMENSION_CHOICES)
    cols = forms.ChoiceField(label="Columns", choices=DIMENSION_CHOICES)

    def clean(self):
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("cols"):
            self.add_error(
                "cols",
                ValidationError(
                    "Rows and columns must be two different dimensions "
                    "(tag co-occurrence is /analysis/cooccurrence.csv).",
                    code="same_dimension",
                ),
            )
        return data
