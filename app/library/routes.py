from flask import render_template

from app.library import bp


@bp.get("/")
def home():
    return render_template("library/home.html")


@bp.get("/videos")
def videos():
    return render_template("library/home.html")
