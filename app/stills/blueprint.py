from flask import Blueprint

bp = Blueprint("stills", __name__)
