"""Staff name each category in every language: "défense" is "defence" in English.

    GET/POST /admin/categories     form: name-<tag id>-<lang> for each category

The category's key (what staff type on a video, and what URLs and feeds use) stays as
it is; an empty name shows the key in that language.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from app.admin import service
from app.admin.blueprint import bp
from app.extensions import db
from app.formatting import collation_key
from app.forms import Form
from app.i18n import current_language, supported
from app.models import Tag
from app.models.videos import video_tags


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    form = Form()
    tags = list(db.session.execute(db.select(Tag)).scalars())
    if request.method == "POST" and form.validate_on_submit():
        names = {}
        for tag in tags:
            for lang in supported():
                field = f"name-{tag.id}-{lang}"
                if field in request.form:
                    names[(tag.id, lang)] = request.form.get(field, "")
        service.name_categories(names)
        flash(_("The names of the categories were saved."), "success")
        return redirect(url_for("admin.categories"))
    counts = dict(
        db.session.execute(
            db.select(video_tags.c.tag_id, func.count()).group_by(video_tags.c.tag_id)
        ).all()
    )
    lang = current_language()
    tags.sort(key=lambda t: collation_key(t.label(lang)))
    rows = [(tag, counts.get(tag.id, 0), {n.lang: n.name for n in tag.names}) for tag in tags]
    return render_template("admin/categories.html", form=form, rows=rows)
