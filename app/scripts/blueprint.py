from flask import Blueprint

bp = Blueprint("scripts", __name__)
