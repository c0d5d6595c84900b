"""The workgroup's API keys: coordinators list, create (the key is shown once) and revoke them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from toolkit.api.forms import ApiTokenForm
from toolkit.forms import add_service_errors, form_data
from toolkit.models import ApiToken
from toolkit.pagination import paginate
from toolkit.permissions import Action, get_object_for_user, workgroup_view
from toolkit.services.api_tokens import api_token_create, api_token_revoke
from toolkit.views.shortcuts import render_form_page

TOKENS_PAGE_SIZE = 50


def _list_page(request: HttpRequest, form: ApiTokenForm, *, new_key: str = "", new_token=None) -> HttpResponse:
    tokens = (ApiToken.objects.restrict(request.membership, Action.MANAGE_API)
              .select_related("created_by", "revoked_by").order_by("-created_at", "-id"))
    context = {"page": paginate(request, tokens, per_page=TOKENS_PAGE_SIZE), "form": form, "new_key": new_key,
               "new_token": new_token}
    return render_form_page(request, "toolkit/api_tokens/list.html", context, form=form)


@workgroup_view(Action.MANAGE_API)
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(actor=request.user, workgroup=request.workgroup, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the key exists only in this response and is never stored.
            return _list_page(request, ApiTokenForm(), new_key=key, new_token=token)
    return _list_page(request, form)


@workgroup_view(Action.MANAGE_API)
@require_http_methods(["GET", "POST"])
def api_token_revoke_view(request: HttpRequest, api_token_id: int) -> HttpResponse:
    token = get_object_for_user(request.user, request.workgroup, ApiToken.objects, api_token_id, Action.MANAGE_API)
    if request.method == "POST":
        try:
            api_token_revoke(actor=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The key “{token.name}” no longer works.")
        return redirect("toolkit:api-tokens", slug=request.workgroup.slug)
    return render(request, "toolkit/api_tokens/confirm_revoke.html", {"token": token})


urlpatterns = [
    path("w/<slug:slug>/api-keys/", api_token_list, name="api-tokens"),
    path("w/<slug:slug>/api-keys/<int:api_token_id>/revoke/", api_token_revoke_view, name="api-token-revoke"),
]
