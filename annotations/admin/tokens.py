"""Personal API tokens in the admin. The key is shown once, on creation; only its hash is kept."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from annotations.actions.tokens import api_token_create, api_token_rename, api_tokens_revoke
from annotations.models import ApiToken
from cms.admin_actions import ActionsAdmin


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ActionsAdmin):
    form = ApiTokenForm
    list_display = ["name", "user", "key_prefix", "created", "last_used", "revoked"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            api_token_rename(token=obj, name=obj.name)
            return
        key = api_token_create(user=request.user, name=obj.name, token=obj)
        messages.warning(
            request,
            format_html(
                "Your new API token (copy it now; it will not be shown again): <code>{}</code>",
                key,
            ),
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        api_tokens_revoke(tokens=queryset, at=timezone.now())
