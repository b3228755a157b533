"""Scripts: a video's texts as an agency script, plain text or a print-friendly page.

routes (the page and the .txt file) → service (builds the script from the video's
texts with `app.library.present.shots` and `tech_sheet`; a clip's script keeps the
shots inside its range, read with `app.clips.selection.parse_selection`).
"""

from app.scripts import routes  # noqa: F401  (attaches the views to bp)
from app.scripts.blueprint import bp

__all__ = ["bp"]
