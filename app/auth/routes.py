from flask import render_template

from app.auth import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    return render_template("auth/login.html")


@bp.route("/register", methods=["GET", "POST"])
def register():
    return render_template("auth/register.html")


@bp.post("/logout")
def logout():
    return render_template("auth/login.html")
