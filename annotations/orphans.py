"""The orphan queue (`/workspace/orphans/`): passages that lost their place in a revised article.

Editors see every fuzzy or orphaned passage, annotators their own. For each one they can
accept a fuzzy match, re-attach it to text selected in the current body, or delete it.
Every action calls the annotation services; a refusal comes back as a form error and,
because the services are atomic, writes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView

from annotations.actions.passages import (
    annotation_accept_fuzzy,
    annotation_delete,
    annotation_reattach,
)
from annotations.models import Annotation

PAGE_SIZE = 50


def review_queue(user):
    """Passages needing review that `user` may act on: all for editors, else their own."""
    passages = Annotation.objects.needing_review()
    if user.has_perm("annotations.edit_any_annotation"):
        return passages
    return passages.by(user)


class ReattachForm(forms.Form):
    """A span of the current body in code points, as the selection script or a person fills it."""

    start = forms.IntegerField(min_value=0, help_text="Code-point offset of the first character.")
    end = forms.IntegerField(min_value=1, help_text="Code-point offset just after the last one.")
    exact = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Selected text",
        help_text="The selected text, exactly as it reads in the article.",
    )


class ActionForm(forms.Form):
    """Accept and delete carry no data; the form only holds their errors."""


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, ValidationError(str(error) or "Not allowed.", code="forbidden"))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class OrphanListView(LoginRequiredMixin, ListView):
    """The queue: one row per passage, the article body left behind (constant queries)."""

    template_name = "annotations/orphan_list.html"
    context_object_name = "passages"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            review_queue(self.request.user)
            .select_related("article", "annotator")
            .defer("article__body", "article__source_sha256")
            .order_by("article__title", "article_id", "start", "id")
        )


class OrphanDetailView(LoginRequiredMixin, DetailView):
    """One passage: its old quote, the article's current text, and the three actions."""

    template_name = "annotations/orphan_detail.html"
    context_object_name = "passage"

    def get_queryset(self):
        return review_queue(self.request.user).select_related("article", "annotator")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        passage, body = self.object, self.object.article.body
        # A fuzzy passage points at its candidate text in the current body; show it marked.
        is_fuzzy = passage.anchor_status == Annotation.AnchorStatus.FUZZY
        if is_fuzzy and passage.end <= len(body):
            context["before"] = body[: passage.start]
            context["match"] = body[passage.start : passage.end]
            context["after"] = body[passage.end :]
        else:
            context["before"], context["match"], context["after"] = body, "", ""
        context["old_quote"] = passage.previous_exact or passage.exact
        context.setdefault("reattach_form", ReattachForm(prefix="reattach"))
        context.setdefault("accept_form", ActionForm(prefix="accept"))
        context.setdefault("delete_form", ActionForm(prefix="delete"))
        return context


class OrphanActionView(OrphanDetailView):
    """POST-only base: run `perform(form)`; on a refusal show the detail page with errors."""

    form_class = ActionForm
    form_name = ""
    success_message = ""

    def get(self, request, *args, **kwargs):
        return redirect("orphan-detail", pk=kwargs["pk"])

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, prefix=self.form_name)
        if form.is_valid():
            try:
                self.perform(form)
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("orphan-list")
        context = self.get_context_data(**{f"{self.form_name}_form": form})
        return self.render_to_response(context, status=400)

    def perform(self, form) -> None:
        raise NotImplementedError


class OrphanAcceptView(OrphanActionView):
    form_name = "accept"
    success_message = "Accepted the fuzzy match."

    def perform(self, form) -> None:
        annotation_accept_fuzzy(annotation=self.object, user=self.request.user)


class OrphanReattachView(OrphanActionView):
    form_class = ReattachForm
    form_name = "reattach"
    success_message = "Re-attached the passage to the selected text."

    def perform(self, form) -> None:
        annotation_reattach(
            annotation=self.object,
            user=self.request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            exact=form.cleaned_data["exact"],
        )


class OrphanDeleteView(OrphanActionView):
    """GET asks for confirmation; POST deletes."""

    form_name = "delete"
    success_message = "Deleted the passage."

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(
            {
                "passage": self.object,
                "delete_form": ActionForm(prefix="delete"),
                "cancel_url": reverse("orphan-detail", args=[self.object.pk]),
            },
        )

    def get_template_names(self):
        if self.request.method == "GET":
            return ["annotations/orphan_confirm_delete.html"]
        return super().get_template_names()

    def perform(self, form) -> None:
        annotation_delete(annotation=self.object, user=self.request.user, via="orphan-queue")
