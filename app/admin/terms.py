"""Staff page of the usage terms: publish a new version, which every user accepts once
more at their next download (the rule: app/library/policy.py)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.blueprint import bp
from app.extensions import db
from app.forms import Form
from app.models import TermsVersion

NOTE_MAX = 500


@bp.route("/terms", methods=["GET", "POST"])
def terms():
    form = Form()
    if request.method == "POST" and form.validate_on_submit():
        note = " ".join((request.form.get("note") or "").split())[:NOTE_MAX]
        db.session.add(TermsVersion(published_by_id=current_user.id, note=note))
        db.session.commit()
        flash(
            _(
                "A new version of the usage terms is in force: every user accepts it at their next download."
            ),
            "success",
        )
        return redirect(url_for("admin.terms"))
    versions = db.session.execute(
        db.select(TermsVersion).order_by(TermsVersion.published_at.desc()).limit(50)
    ).scalars()
    return render_template("admin/terms.html", form=form, versions=list(versions))
