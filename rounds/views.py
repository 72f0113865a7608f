"""The round pages under `/workspace/rounds/`: thin views over the round actions and the
presenters. Editors create, follow, adjudicate and close rounds; coders see theirs and
mark articles done; the agreement page is the editors', and a blind round's coders' once
it closes."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from annotations.models import Annotation
from articles.models import Article
from audit.models import HistoryRecord
from publishing.exports import neutralise
from rounds import presenters
from rounds.actions import (
    consensus_edit,
    consensus_keep,
    consensus_merge,
    consensus_reject,
    round_close,
    round_create,
    round_mark_done,
    round_update,
)
from rounds.agreement.reads import round_agreement
from rounds.forms import CloseForm, RoundForm
from rounds.models import Round
from rounds.permissions import can_code, can_manage_rounds, can_read_agreement

VIA = HistoryRecord.Via.WORKSPACE


def add_errors(form, error: ValidationError) -> None:
    """An action's refusal as form errors (by field when it names one)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RoundAccessMixin(LoginRequiredMixin):
    """Editors, and annotators for the rounds they code."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (can_manage_rounds(user) or can_code(user)):
            raise PermissionDenied("Annotators and editors only.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def editor(self) -> bool:
        return can_manage_rounds(self.request.user)

    def get_round(self) -> Round:
        round_ = get_object_or_404(Round.objects.select_related("created_by"), pk=self.kwargs["pk"])
        self.coders = list(round_.coders.order_by("username"))
        if not self.editor and self.request.user.pk not in {c.pk for c in self.coders}:
            raise Http404("No such round.")
        return round_


class EditorMixin(RoundAccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_manage_rounds(request.user):
            raise PermissionDenied("Editors only.")
        return super().dispatch(request, *args, **kwargs)


class RoundListView(RoundAccessMixin, ListView):
    """`/workspace/rounds/`: every round for editors, a coder's own otherwise."""

    template_name = "rounds/round_list.html"
    context_object_name = "rounds"
    paginate_by = 50

    def get_queryset(self):
        rounds = Round.objects.all()
        if not self.editor:
            rounds = rounds.coded_by(self.request.user)
        return rounds.for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"editor": self.editor}


class RoundCreateView(EditorMixin, FormView):
    """`/workspace/rounds/new/`."""

    template_name = "rounds/round_form.html"
    form_class = RoundForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            round_ = round_create(
                name=data["name"],
                articles=data["articles"],
                coders=data["coders"],
                tags=data["tags"],
                blind=data["blind"],
                instructions=data["instructions"],
                editor=self.request.user,
                via=VIA,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Round “{round_.name}” opened.")
        return redirect("round-detail", pk=round_.pk)


class RoundUpdateView(EditorMixin, FormView):
    """`/workspace/rounds/<id>/edit/` (open rounds)."""

    template_name = "rounds/round_form.html"
    form_class = RoundForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.round = self.get_round_or_none()
        return super().dispatch(request, *args, **kwargs)

    def get_round_or_none(self):
        return get_object_or_404(Round, pk=self.kwargs["pk"])

    def get_initial(self):
        round_ = self.round
        return {
            "name": round_.name,
            "instructions": round_.instructions,
            "blind": round_.blind,
            "articles": list(round_.articles.all()),
            "coders": list(round_.coders.all()),
            "tags": list(round_.tags.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"round": self.round}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            round_update(round=self.round, editor=self.request.user, via=VIA, **data)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Round saved.")
        return redirect("round-detail", pk=self.round.pk)


class RoundDetailView(RoundAccessMixin, TemplateView):
    """`/workspace/rounds/<id>/`: instructions, the progress grid (articles x coders) and,
    for a coder, their articles with a done button each."""

    template_name = "rounds/round_detail.html"

    def get_context_data(self, **kwargs):
        round_ = self.get_round()
        articles = list(round_.articles.defer("body").select_related("outlet").order_by("pk"))
        user = self.request.user
        coder = user.pk in {c.pk for c in self.coders}
        shown = self.coders if self.editor or not round_.blind else [user]
        grid = presenters.progress_grid(round_, articles, shown)
        return super().get_context_data(**kwargs) | {
            "round": round_,
            "editor": self.editor,
            "coder": coder,
            "coders": shown,
            "grid": grid,
            "tags": list(round_.tags.order_by("name")),
            "my_column": [c.pk for c in shown].index(user.pk) if user in shown else None,
            "agreement_visible": can_read_agreement(user, round_, {c.pk for c in self.coders}),
        }


class RoundDoneView(RoundAccessMixin, View):
    """`POST /workspace/rounds/<id>/done/`: `article`, `done` (1 or 0)."""

    def post(self, request, pk):
        round_ = self.get_round()
        article = get_object_or_404(Article.objects.defer("body"), pk=request.POST.get("article"))
        try:
            round_mark_done(
                round=round_,
                article=article,
                coder=request.user,
                done=request.POST.get("done") != "0",
                via=VIA,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("round-detail", pk=round_.pk)


class AgreementMixin(RoundAccessMixin):
    def agreement(self) -> tuple[Round, dict]:
        round_ = self.get_round()
        if not can_read_agreement(self.request.user, round_, {c.pk for c in self.coders}):
            raise PermissionDenied("The agreement of a blind round is shown once it closes.")
        result = round_.agreement if round_.agreement else round_agreement(round_)
        return round_, result


class AgreementView(AgreementMixin, TemplateView):
    """`/workspace/rounds/<id>/agreement/`: alpha per tag, overall, per article."""

    template_name = "rounds/agreement.html"

    def get_context_data(self, **kwargs):
        round_, result = self.agreement()
        return super().get_context_data(**kwargs) | {
            "round": round_,
            "tables": presenters.agreement_tables(result),
            "frozen": bool(round_.agreement),
        }


class AgreementCsvView(AgreementMixin, View):
    """`/workspace/rounds/<id>/agreement.csv`: the same figures as CSV."""

    def get(self, request, pk):
        round_, result = self.agreement()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in presenters.agreement_csv_rows(result):
            writer.writerow([neutralise(str(cell)) for cell in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"gloss-round-{round_.pk}-agreement-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class AdjudicateView(EditorMixin, TemplateView):
    """`/workspace/rounds/<id>/articles/<article id>/`: the coders' passages side by side,
    per tag and run of overlapping spans, with the editor's decision on each."""

    template_name = "rounds/adjudicate.html"

    def setup_page(self):
        self.round = self.get_round()
        self.article = get_object_or_404(
            self.round.articles.select_related("outlet"), pk=self.kwargs["article"]
        )

    def get_context_data(self, **kwargs):
        self.setup_page()
        tag_names = dict(self.round.tags.values_list("pk", "name"))
        clusters = presenters.clusters(self.round, self.article, self.coders, tag_names)
        return super().get_context_data(**kwargs) | {
            "round": self.round,
            "article": self.article,
            "coders": self.coders,
            "clusters": clusters,
            "differing": sum(1 for c in clusters if not c.agree and c.decision is None),
        }

    def post(self, request, pk, article):
        self.setup_page()
        ids = [int(i) for i in request.POST.get("passages", "").split(",") if i.isdigit()]
        decision = request.POST.get("decision", "")
        common = {"round": self.round, "editor": request.user, "via": VIA}
        try:
            if decision.startswith("keep:") and decision[5:].isdigit():
                kept = int(decision[5:])
                consensus_keep(passage=kept, others=[i for i in ids if i != kept], **common)
            elif decision == "merge":
                consensus_merge(passages=ids, **common)
            elif decision == "edit":
                start, end = _offset(request.POST.get("start")), _offset(request.POST.get("end"))
                body = self.article.body
                exact = body[start:end] if 0 <= start < end <= len(body) else ""
                if not exact:
                    raise ValidationError("Give a span inside the text.", code="invalid_span")
                consensus_edit(passages=ids, start=start, end=end, exact=exact, **common)
            elif decision == "reject":
                consensus_reject(passages=ids, **common)
            else:
                raise ValidationError("Choose a decision.", code="invalid_decision")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded.")
        return redirect("round-adjudicate", pk=self.round.pk, article=self.article.pk)


def _offset(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else -1


class RoundCloseView(EditorMixin, FormView):
    """`/workspace/rounds/<id>/close/`: publish the consensus, end blindness."""

    template_name = "rounds/round_close.html"
    form_class = CloseForm

    def get_context_data(self, **kwargs):
        round_ = self.get_round()
        consensus = Annotation.objects.filter(adjudication__round=round_).count()
        return super().get_context_data(**kwargs) | {"round": round_, "consensus": consensus}

    def form_valid(self, form):
        round_ = self.get_round()
        try:
            round_close(
                round=round_,
                editor=self.request.user,
                coder_passages=form.cleaned_data["coder_passages"],
                via=VIA,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Round “{round_.name}” closed; its consensus is public.")
        return redirect("round-detail", pk=round_.pk)
