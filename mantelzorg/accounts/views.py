from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mantelzorg.core import audit
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent

from . import consent, ratelimit, selectors, services
from .forms import EraseForm, LoginForm, PasswordResetForm, SetPasswordForm, SignupForm, TokenForm
from .models import User

PENDING_KEY = "mfa_pending_user"


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _audit_attempt(request, form, action, purpose):
    """A refused login: the targeted account as a keyed hash of the address typed (never the
    address itself) and, when that account exists, as the subject."""
    email = form.cleaned_data["email"]
    audit.denied(
        request=request,
        action=action,
        subject=selectors.user_id_for_login(email),
        object_type="accounts.user",
        object_id=audit.account_ref(email),
        purpose=purpose,
    )


@personal
@require_http_methods(["GET", "POST"])
def login(request):
    if request.method == "POST" and ratelimit.exceeded(request, "login_failed"):  # spraying from one IP
        ratelimit.audit_refusal(request, "login_failed")
        return render(request, "accounts/locked_out.html", status=429)
    form = LoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = auth.authenticate(
            request, username=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            _audit_attempt(request, form, "accounts.session.login_locked_out", "authentication (locked out)")
            return render(request, "accounts/locked_out.html", status=429)
        if user is None:
            _audit_attempt(request, form, "accounts.session.login_failed", "authentication")
            form.add_error(None, _("The e-mail address or password is not correct."))
        elif user.requires_mfa:
            request.session.cycle_key()
            request.session[PENDING_KEY] = user.pk
            request.session["mfa_next"] = _next_url(request)
            return redirect("accounts:login_mfa")
        else:
            auth.login(request, user)
            audit.log(
                request=request,
                action="accounts.session.logged_in",
                obj=user,
                subject=user,
                purpose="authentication",
            )
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@personal
@require_http_methods(["GET", "POST"])
def login_mfa(request):
    user = User.objects.filter(pk=request.session.get(PENDING_KEY), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        # No enrolment page exists: an administrator links the app (admin, demo data). Say so.
        del request.session[PENDING_KEY]
        audit.denied(
            request=request,
            actor=user,
            action="accounts.session.mfa_missing",
            subject=user,
            purpose="authentication",
        )
        return render(request, "accounts/mfa_missing.html", status=403)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (refusal := ratelimit.hit(request, "mfa_failed", account=str(user.pk))):
        form.add_error(None, refusal.message)  # counts every try; a right code resets nothing
        return render(request, "accounts/login_mfa.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        device = next(
            (
                d
                for d in TOTPDevice.objects.devices_for_user(user, confirmed=True)
                if d.verify_token(form.cleaned_data["token"])
            ),
            None,
        )
        if device is None:
            audit.denied(
                request=request,
                actor=user,
                action="accounts.session.mfa_failed",
                subject=user,
                purpose="authentication",
            )
            form.add_error("token", _("This code is not correct. Wait for a new code and try again."))
        else:
            next_url = request.session.get("mfa_next", settings.LOGIN_REDIRECT_URL)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            audit.log(
                request=request,
                action="accounts.session.logged_in",
                obj=user,
                subject=user,
                purpose="authentication (MFA)",
            )
            return redirect(next_url)
    return render(request, "accounts/login_mfa.html", {"form": form})


@require_POST
def logout(request):
    if request.user.is_authenticated:
        audit.log(
            request=request,
            action="accounts.session.logged_out",
            obj=request.user,
            subject=request.user,
            purpose="authentication",
        )
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@personal
@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        refusal = ratelimit.hit(request, "signup", address=form.cleaned_data["email"])
        if refusal:
            form.add_error(None, refusal.message)
    if request.method == "POST" and form.is_valid():
        # The same page whether or not the address has an account; the e-mail tells which.
        services.signup_request(
            request=request,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
            next_url="" if _next_url(request) == settings.LOGIN_REDIRECT_URL else _next_url(request),
        )
        return render(request, "accounts/signup_sent.html", {"next": _next_url(request)})
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/signup.html", context, status=429 if refusal else 200)


@personal
@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64, token):
    """The link from the sign-up e-mail: a button (e-mail scanners that open links do not use it
    up), then the account is active and its person logged in."""
    user = services.signup_user_for_token(uidb64, token)
    if user is None:
        return render(request, "accounts/signup_confirm.html", {"valid": False})
    if request.method == "POST":
        services.signup_confirm(request=request, user=user)  # its audit row records the login too
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next_url(request))
    return render(request, "accounts/signup_confirm.html", {"valid": True, "next": _next_url(request)})


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        refusal = ratelimit.hit(self.request, "password_reset", address=form.cleaned_data["email"])
        if refusal:  # nothing is sent; the page says why and the form still works
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"]
        audit.log(
            request=self.request,
            action="accounts.password.reset_requested",
            subject=selectors.user_id_for_login(email),
            object_type="accounts.user",
            object_id=audit.account_ref(email),
            purpose="password reset",
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.log(
            request=self.request,
            actor=form.user,
            action="accounts.password.changed",
            obj=form.user,
            subject=form.user,
            purpose="password reset",
        )
        return response


password_reset = PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    form_class=PasswordResetForm,
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=SetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def admin_login(request, extra_context=None):
    """The Django admin logs in through our login, so MFA applies there too."""
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.GET.get("next", "/beheer/"), login_url="accounts:login")


# ------------------------------------------------------------------------------ consents


@login_required
@personal
@require_GET
def consents(request):
    """Who may see what of mine: every consent I gave, current and ended, with a revoke button."""
    rows = []
    for record in selectors.consent_list_for_grantor(request.user):
        try:
            scope = consent.get(record.scope)
        except LookupError:  # a scope whose app is gone: still shown, still revocable
            scope = None
        rows.append((record, scope))
    audit.log(
        request=request,
        action="accounts.consent.viewed",
        object_type="accounts.consentrecord",
        subject=request.user,
        purpose="own consents",
    )
    return render(request, "accounts/consents.html", {"rows": rows, "now": timezone.now()})


@login_required
@personal
@require_POST
@idempotent
def consent_revoke(request, consent_id):
    record = selectors.consent_get_for_grantor(request.user, consent_id)
    services.consent_revoke(request=request, consent_record=record)
    messages.success(request, _("Done: %(name)s can no longer see this.") % {"name": record.grantee})
    return redirect("accounts:consents")


# ------------------------------------------------------------------------------ my data


@login_required
@personal
@require_GET
def my_data(request):
    """What we keep about me: download it, or erase my account."""
    return render(request, "accounts/my_data.html", {})


@login_required
@personal
@require_GET
def my_data_download(request):
    """Everything about me as JSON (GDPR art. 15 and 20), from every app (core.personal_data)."""
    import json

    from django.http import HttpResponse

    from mantelzorg.core import personal_data

    data = personal_data.export(request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    return response


@login_required
@personal
@require_http_methods(["GET", "POST"])
def delete(request):
    """Erase my account and everything about me (GDPR art. 17), after my password."""
    from mantelzorg.core import personal_data

    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "GET":
        audit.log(
            request=request,
            action="accounts.user.viewed",
            obj=request.user,
            subject=request.user,
            purpose="erase account (confirmation)",
        )
    if request.method == "POST" and form.is_valid():
        personal_data.erase(request.user, request=request)
        auth.logout(request)
        messages.success(request, _("Your account and everything we kept about you have been deleted."))
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/delete.html", {"form": form})
