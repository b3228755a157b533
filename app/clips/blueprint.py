from flask import Blueprint

bp = Blueprint("clips", __name__)
