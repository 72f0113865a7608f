"""`/workspace/codebook/`: the tags as a tree, with descriptions and examples.

Editors create, rename, recolour, describe, reorder, nest, merge and delete (unused)
tags here: each form posts to a small view that calls the tag action
(`annotations.actions.tags`); a refusal re-renders the page with the form's errors
(HTTP 400), nothing written. Annotators see the same page read-only. The page is a
template fed by `codebook_rows` (one query for the tags and their examples, one for the
counts, which include sub-tags' passages, one for which examples the visitor may see).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views import View

from annotations.actions.tags import tag_create, tag_delete, tag_merge, tag_reorder, tag_update
from annotations.contrast import highlight_contrast
from annotations.models import Annotation, Tag, TaggedAnnotation, colour_validator
from annotations.tag_tree import depth_first
from audit import services as audit
from cms import trees


def edits_codebook(user) -> bool:
    return user.has_perm("annotations.change_tag")


class TagForm(forms.Form):
    """A tag's editable fields; `parent` and `example_passage` are ids (the page lists
    the tags once, not once per form)."""

    name = forms.CharField(max_length=100)
    colour = forms.CharField(
        max_length=7,
        validators=[colour_validator],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Light enough for the tag's name to stay readable (WCAG AA, 4.5:1).",
    )
    description = forms.CharField(
        max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    example_passage = forms.IntegerField(
        required=False, min_value=1, label="Example passage (its number)"
    )

    def __init__(self, *args, choices=(), creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "(top level)"), *choices]
        if creating:  # an example is a passage already carrying the tag
            del self.fields["example_passage"]


class MergeForm(forms.Form):
    source = forms.TypedChoiceField(coerce=int, label="Merge this tag")
    target = forms.TypedChoiceField(coerce=int, label="into this tag")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = list(choices)
        self.fields["target"].choices = list(choices)


@dataclass
class CodebookRow:
    tag: Tag
    depth: int
    count: int | None
    example: Annotation | None
    contrast: float
    first: bool
    last: bool
    has_children: bool
    form: TagForm | None


def passage_counts(tags: list[Tag], user) -> dict[int, int]:
    """Per tag, the passages `user` sees carrying it or any tag under it, each passage
    once, as `/passages/?tag=<slug>` lists them (`PassageFilterSet.filter_tag`). One
    query: a count per tag without sub-tags, a distinct count over its sub-tree per tag
    with some."""
    tree = {tag.pk: tag.parent_id for tag in tags}
    parents = {parent for parent in tree.values() if parent in tree}
    columns = {}
    for pk in tree:
        if pk in parents:
            ids = sorted(trees.subtree([pk], tree))
            columns[f"t{pk}"] = Count("content_object_id", distinct=True, filter=Q(tag_id__in=ids))
        else:
            columns[f"t{pk}"] = Count("pk", filter=Q(tag_id=pk))
    if not columns:
        return {}
    visible = Annotation.objects.visible_to(user).order_by().values("pk")
    counted = (
        TaggedAnnotation.objects.order_by()
        .filter(content_object_id__in=visible)
        .aggregate(**columns)
    )
    return {pk: counted[f"t{pk}"] or 0 for pk in tree}


def codebook_rows(user, *, bound: dict | None = None) -> tuple[list[CodebookRow], list]:
    """The tags in tree order with what the page shows of each, and the (id, label)
    choices of the forms' tag lists. `bound`: {form key: bound form} to show instead."""
    bound = bound or {}
    editor = edits_codebook(user)
    tags = list(
        Tag.objects.select_related("example_passage__article").only(
            "name",
            "slug",
            "colour",
            "description",
            "parent_id",
            "position",
            "example_passage__exact",
            "example_passage__article__title",
            "example_passage__article__slug",
        )
    )
    ordered = depth_first(tags)
    choices = [(tag.pk, "— " * depth + tag.name) for tag, depth in ordered]
    counts = passage_counts(tags, user) if editor else {}
    example_ids = [tag.example_passage_id for tag in tags if tag.example_passage_id]
    visible = set(
        Annotation.objects.visible_to(user).filter(pk__in=example_ids).values_list("pk", flat=True)
        if example_ids
        else ()
    )
    siblings: dict[int | None, list[int]] = {}
    for tag, _ in ordered:
        siblings.setdefault(tag.parent_id, []).append(tag.pk)
    rows = []
    for tag, depth in ordered:
        form = None
        if editor:
            form = bound.get(f"edit-{tag.pk}") or TagForm(
                initial={
                    "name": tag.name,
                    "colour": tag.colour,
                    "description": tag.description,
                    "parent": tag.parent_id,
                    "example_passage": tag.example_passage_id,
                },
                choices=[choice for choice in choices if choice[0] != tag.pk],
                prefix=f"tag{tag.pk}",
            )
        group = siblings[tag.parent_id]
        rows.append(
            CodebookRow(
                tag=tag,
                depth=min(depth, 4),
                count=counts.get(tag.pk, 0) if editor else None,
                example=tag.example_passage if tag.example_passage_id in visible else None,
                contrast=round(highlight_contrast(tag.colour), 1),
                first=group[0] == tag.pk,
                last=group[-1] == tag.pk,
                has_children=tag.pk in siblings,
                form=form,
            )
        )
    return rows, choices


class CodebookAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Whoever may see tags (annotators and editors); anonymous visitors log in first."""

    permission_required = "annotations.view_tag"


class CodebookView(CodebookAccessMixin, View):
    """The page itself (GET); the edit views below re-render it on a refusal."""

    template_name = "annotations/codebook.html"

    def render_page(self, request, *, bound: dict | None = None, status: int = 200):
        bound = bound or {}
        rows, choices = codebook_rows(request.user, bound=bound)
        editor = edits_codebook(request.user)
        context = {
            "rows": rows,
            "editor": editor,
            "create_form": bound.get("create")
            or (
                TagForm(choices=choices, prefix="new", initial={"colour": "#ffd54f"}, creating=True)
                if editor
                else None
            ),
            "merge_form": bound.get("merge") or (MergeForm(choices=choices) if editor else None),
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request)


class CodebookEditView(CodebookView):
    """A POST from one of the page's forms: the action, then back to the page."""

    permission_required = "annotations.change_tag"
    http_method_names = ["post"]

    def refuse(self, request, key: str, form, error: ValidationError):
        """The action's refusal as the form's errors, the page shown again (400)."""
        if hasattr(error, "error_dict"):
            _add(form, error)
        else:
            form.add_error(None, error)
        return self.render_page(request, bound={key: form}, status=400)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect("workspace-codebook")

    @staticmethod
    def tag_choices():
        return [
            (tag.pk, tag.name)
            for tag, _ in depth_first(list(Tag.objects.only("name", "parent_id", "position")))
        ]


def _add(form, error: ValidationError) -> None:
    """A refusal's errors on the form's fields where it has them, else on the form."""
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _tag_or_none(pk):
    return None if pk is None else Tag.objects.filter(pk=pk).first()


class CodebookCreateView(CodebookEditView):
    permission_required = "annotations.add_tag"

    def post(self, request):
        form = TagForm(request.POST, choices=self.tag_choices(), prefix="new", creating=True)
        if not form.is_valid():
            return self.render_page(request, bound={"create": form}, status=400)
        data = form.cleaned_data
        try:
            tag = tag_create(
                name=data["name"],
                colour=data["colour"].lower(),
                description=data["description"],
                parent=_tag_or_none(data["parent"]),
                actor=request.user,
                via=audit.Via.WORKSPACE,
            )
        except ValidationError as error:
            return self.refuse(request, "create", form, error)
        return self.done(f"Tag {tag.name} created.")


class CodebookUpdateView(CodebookEditView):
    def post(self, request, pk: int):
        tag = get_object_or_404(Tag, pk=pk)
        key = f"edit-{tag.pk}"
        choices = [choice for choice in self.tag_choices() if choice[0] != tag.pk]
        form = TagForm(request.POST, choices=choices, prefix=f"tag{tag.pk}")
        if not form.is_valid():
            return self.render_page(request, bound={key: form}, status=400)
        data = form.cleaned_data
        example = None
        if data["example_passage"] is not None:
            example = (
                Annotation.objects.visible_to(request.user)
                .filter(pk=data["example_passage"])
                .first()
            )
            if example is None:
                form.add_error("example_passage", "No passage has that number.")
                return self.render_page(request, bound={key: form}, status=400)
        try:
            tag = tag_update(
                tag=tag,
                name=data["name"],
                colour=data["colour"].lower(),
                description=data["description"],
                parent=_tag_or_none(data["parent"]),
                example_passage=example,
                actor=request.user,
                via=audit.Via.WORKSPACE,
            )
        except ValidationError as error:
            return self.refuse(request, key, form, error)
        return self.done(f"Tag {tag.name} saved.")


class CodebookMoveView(CodebookEditView):
    def post(self, request, pk: int):
        tag = get_object_or_404(Tag, pk=pk)
        direction = request.POST.get("direction", "")
        try:
            tag_reorder(tag=tag, direction=direction, actor=request.user, via=audit.Via.WORKSPACE)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render_page(request, status=400)
        return self.done(f"Tag {tag.name} moved {direction}.")


class CodebookMergeView(CodebookEditView):
    def has_permission(self):
        return self.request.user.has_perms(["annotations.change_tag", "annotations.delete_tag"])

    def post(self, request):
        form = MergeForm(request.POST, choices=self.tag_choices())
        if not form.is_valid():
            return self.render_page(request, bound={"merge": form}, status=400)
        source = get_object_or_404(Tag, pk=form.cleaned_data["source"])
        target = get_object_or_404(Tag, pk=form.cleaned_data["target"])
        try:
            tag_merge(source=source, target=target, actor=request.user, via=audit.Via.WORKSPACE)
        except ValidationError as error:
            return self.refuse(request, "merge", form, error)
        return self.done(f"Tag {source.name} merged into {target.name}.")


class CodebookDeleteView(CodebookEditView):
    permission_required = "annotations.delete_tag"

    def post(self, request, pk: int):
        tag = get_object_or_404(Tag, pk=pk)
        try:
            tag_delete(tag=tag, unused_only=True, actor=request.user, via=audit.Via.WORKSPACE)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render_page(request, status=400)
        return self.done(f"Tag {tag.name} deleted.")
