"""Saved-search pages: save from the results page, change or delete from the account
page, and the one-click unsubscribe of an alert mail.

    POST /alerts/searches                              save the search shown on /videos
    POST /account/saved-searches/<id>                  rename, frequency, alerts on/off
    POST /account/saved-searches/<id>/delete           delete
    GET|POST /alerts/unsubscribe/<token>               RFC 8058 one-click (POST), or a page

A search of another user is a 404, as one that does not exist.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.alerts import service
from app.alerts.blueprint import bp
from app.alerts.forms import EditSearchForm, SaveSearchForm
from app.errors import render_error
from app.extensions import csrf
from app.forms import Form
from app.http.one_click import one_click
from app.i18n import current_language


def _edit_form(search, formdata=None):
    form = EditSearchForm(formdata=formdata, prefix=f"s{search.id}", obj=search)
    if formdata is None:
        form.alerts_on.data = search.alerts_on
    return form


@bp.app_template_global("saved_searches")
def saved_searches():
    """The account page's list: each search with its form and links."""
    if not current_user.is_authenticated:
        return []
    return [
        {
            "search": search,
            "form": _edit_form(search),
            "results": service.results_path(search),
            "feed": service.feed_url(search),
        }
        for search in service.searches_of(current_user)
    ]


@bp.app_template_global("save_search_form")
def save_search_form(filters):
    """The results page's "save this search" form, for the search being shown."""
    return SaveSearchForm(
        formdata=None,
        name=(filters.q or _("All videos"))[:100],
        query=service.query_of(filters),
        language=current_language(),
        frequency="immediate",
    )


def _to_account():
    return redirect(url_for("account.index") + "#saved-searches")


@bp.post("/alerts/searches")
@login_required
def save():
    form = SaveSearchForm()
    problem = None
    if form.validate_on_submit():
        try:
            service.create_search(
                current_user,
                form.name.data,
                form.query.data,
                form.language.data,
                form.frequency.data,
            )
        except service.InvalidSearch:
            problem = _("This search cannot be saved: correct its filters first.")
        except service.TooManySearches:
            problem = _(
                "You have %(num)d saved searches: delete one before saving another.",
                num=service.MAX_SEARCHES_PER_USER,
            )
        else:
            flash(
                _("The search is saved. Its alerts and feed are on your account page."), "success"
            )
            return _to_account()
    return render_template("alerts/save.html", form=form, problem=problem), 400


def _own_or_404(search_id):
    search = service.own_search(current_user, search_id)
    if search is None:
        abort(404)
    return search


@bp.post("/account/saved-searches/<id:search_id>")
@login_required
def update(search_id):
    search = _own_or_404(search_id)
    form = _edit_form(search, formdata=request.form)
    if not form.validate_on_submit():
        return render_template("alerts/edit.html", search=search, form=form), 400
    service.update_search(search, form.name.data, form.frequency.data, form.alerts_on.data)
    flash(_("The saved search has been changed."), "success")
    return _to_account()


@bp.post("/account/saved-searches/<id:search_id>/delete")
@login_required
def delete(search_id):
    search = _own_or_404(search_id)
    if not Form().validate_on_submit():
        abort(400)
    service.delete_search(search)
    flash(_("The saved search has been deleted."), "success")
    return _to_account()


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a token
def unsubscribe(token):
    try:
        search = service.search_from_unsubscribe_token(token)
    except service.InvalidLink:
        return render_error(400, _("This unsubscribe link is not valid."))
    if request.method == "POST":
        if search is not None:
            service.stop_alerts(search)
        if not one_click():  # the page's button: POST/redirect/GET
            return redirect(url_for("alerts.unsubscribe", token=token), 303)
        return render_template("alerts/unsubscribed.html", search=search)
    return render_template("alerts/unsubscribe.html", search=search, token=token, form=Form())
