from flask import Blueprint

bp = Blueprint("captions", __name__)
