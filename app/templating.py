"""What every template gets besides Flask's own: the formatting helpers, as filters and
as globals (globals reach imported macros too)."""

from app import formatting

HELPERS = {
    "human_size": formatting.human_size,
    "human_duration": formatting.human_duration,
    "iso_duration": formatting.iso_duration,
    "format_date": formatting.format_date,
    "format_datetime": formatting.format_datetime,
    "format_time": formatting.format_time,
    "time_zone_label": formatting.time_zone_label,
}


def init_app(app):
    app.jinja_env.filters.update(HELPERS)
    app.jinja_env.globals.update(HELPERS)
