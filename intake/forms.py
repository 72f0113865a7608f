"""The workspace import form: URLs one a line, and/or saved pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from articles.models import Article
from intake.fetch import MAX_BYTES

MAX_ITEMS = 1000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".html,.htm"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(forms.Form):
    urls = forms.CharField(
        label="URLs, one a line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    pages = MultipleFileField(label="Saved pages (.html)", required=False)
    status = forms.ChoiceField(
        label="New articles are", choices=Article.Status.choices, initial=Article.Status.DRAFT
    )
    outlet = forms.CharField(
        label="Outlet (leave empty to take it from each page)", required=False, max_length=200
    )

    def clean_urls(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines()]
        urls = list(dict.fromkeys(line for line in lines if line and not line.startswith("#")))
        validate = URLValidator(schemes=["http", "https"])
        for line in urls:
            try:
                if len(line) > 2000:
                    raise ValidationError("too long")
                validate(line)
            except ValidationError:
                raise ValidationError(
                    "%(line)s is not an http(s) URL.", code="bad_url", params={"line": line[:200]}
                ) from None
        return urls

    def clean_pages(self) -> list[tuple[str, bytes]]:
        pages = []
        for upload in self.cleaned_data["pages"]:
            if upload.size > MAX_BYTES:
                raise ValidationError(
                    "%(name)s is larger than 5 MB.", code="too_large", params={"name": upload.name}
                )
            pages.append((upload.name, upload.read()))
        return pages

    def clean(self):
        data = super().clean()
        count = len(data.get("urls") or []) + len(data.get("pages") or [])
        if not self.errors and count == 0:
            raise ValidationError("Give at least one URL or saved page.", code="nothing")
        if count > MAX_ITEMS:
            raise ValidationError(
                f"At most {MAX_ITEMS} pages in one batch.", code="too_many"
            )  # fmt: skip
        return data
