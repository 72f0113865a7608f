"""The round pages' forms: what an editor types; the actions check the rest."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from annotations.models import Tag
from articles.models import Article
from rounds.models import INSTRUCTIONS_MAX_LENGTH, NAME_MAX_LENGTH, Round


def annotators():
    """Accounts that may code: active staff allowed to create passages."""
    allowed = Q(groups__permissions__codename="add_annotation") | Q(
        user_permissions__codename="add_annotation"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(allowed | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


class RoundForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    articles = forms.ModelMultipleChoiceField(
        queryset=Article.objects.defer("body").order_by("title"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    coders = forms.ModelMultipleChoiceField(
        queryset=annotators(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more annotators.",
    )
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    blind = forms.BooleanField(
        required=False,
        initial=True,
        label="Blind",
        help_text="Coders see only their own passages on these articles until the round closes.",
    )
    instructions = forms.CharField(
        required=False,
        max_length=INSTRUCTIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CloseForm(forms.Form):
    coder_passages = forms.ChoiceField(
        label="The coders' own passages",
        choices=Round.CoderPassages.choices,
        initial=Round.CoderPassages.DRAFT,
        widget=forms.RadioSelect,
    )
