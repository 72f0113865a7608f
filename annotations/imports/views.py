"""`/workspace/import-annotations/`: editors upload an annotation file and read the report.

The form calls the same action as `manage.py import_annotations`; a refused import shows
every failing item as a form error, and nothing is written.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.views.generic import FormView

from annotations.imports.action import ImportRefused, annotations_import
from annotations.imports.formats import FileProblem, parse_bytes
from annotations.models import Annotation

MAX_FILE_BYTES = 50 * 1024 * 1024  # about 50,000 annotations


def annotators():
    """Active users who may create passages (the passages' owner must be one)."""
    may = Q(codename="add_annotation", content_type__app_label="annotations")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=Permission.objects.filter(may))
            | Q(user_permissions__in=Permission.objects.filter(may))
        )
        .distinct()
        .order_by("username")
    )


class ImportAnnotationsForm(forms.Form):
    file = forms.FileField(
        label="Annotation file",
        help_text="JSON: W3C Web Annotations (one, an array, an AnnotationCollection or "
        "AnnotationPage) or a Hypothesis search result.",
    )
    annotator = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        help_text="Whose passages the imported annotations become.",
    )
    status = forms.ChoiceField(
        choices=Annotation.Status.choices,
        initial=Annotation.Status.PUBLISHED,
        help_text="Of new passages; a re-imported passage keeps its status.",
    )
    create_tags = forms.BooleanField(
        required=False, label="Create tags the file names but Gloss lacks"
    )
    skip_unplaced = forms.BooleanField(
        required=False, label="Import the rest when an article or quote is not found"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annotator"].queryset = annotators()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                "The file is larger than %(limit)s MB; split it or use manage.py "
                "import_annotations.",
                code="file_too_large",
                params={"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class ImportAnnotationsView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Editors only: importing writes passages for any annotator."""

    permission_required = "annotations.edit_any_annotation"
    form_class = ImportAnnotationsForm
    template_name = "annotations/import_annotations.html"

    def get_initial(self):
        return {"annotator": self.request.user.get_username()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            items, malformed = parse_bytes(data["file"].read())
            report = annotations_import(
                items=items,
                malformed=malformed,
                annotator=data["annotator"],
                actor=self.request.user,
                status=data["status"],
                create_tags=data["create_tags"],
                skip_unplaced=data["skip_unplaced"],
            )
        except FileProblem as problem:
            form.add_error("file", ValidationError(str(problem), code="unreadable_file"))
        except ImportRefused as refused:
            form.add_error(None, refused)
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, ValidationError(str(error), code="refused"))
        else:
            return self.render_to_response(
                self.get_context_data(
                    form=self.form_class(initial=self.get_initial()), report=report
                )
            )
        return self.form_invalid(form)
