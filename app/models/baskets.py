"""Baskets: one per user, kept in the database, with its items in the user's order.

An item names what to take from a video, not a file: the file (the master, a rendition,
a clip, a still, a script) is found or made when the basket is downloaded, through the
area that owns it (library, clips, stills, scripts).
"""

from app.clock import utcnow
from app.extensions import db


class Basket(db.Model):
    __tablename__ = "baskets"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    name = db.Column(db.String(120), nullable=False, default="")
    # Set when the owner shares the basket: a random token, changed by sharing again.
    share_token = db.Column(db.String(64), unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    items = db.relationship(
        "BasketItem",
        back_populates="basket",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(BasketItem.position, BasketItem.id)",
        lazy="selectin",
    )


class BasketItem(db.Model):
    __tablename__ = "basket_items"
    id = db.Column(db.Integer, primary_key=True)
    basket_id = db.Column(
        db.Integer, db.ForeignKey("baskets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = db.Column(db.Integer, nullable=False, default=0)
    kind = db.Column(db.String(16), nullable=False)  # master, rendition, clip, still, script
    video_id = db.Column(db.Integer, db.ForeignKey("videos.id", ondelete="CASCADE"), nullable=False)
    rendition = db.Column(db.String(32))  # kind "rendition"
    # kind "clip" and a script of a clip: frames of the master, out exclusive (the clip API)
    in_frame = db.Column(db.Integer)
    out_frame = db.Column(db.Integer)
    # kind "clip": its audio tracks, canonical as Clip.audio ("" for every track)
    audio = db.Column(db.String(200), nullable=False, default="", server_default="")
    frame = db.Column(db.Integer)  # kind "still"
    still_format = db.Column(db.String(4))  # "png" or "jpg"
    lang = db.Column(db.String(5))  # kind "script"
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    basket = db.relationship("Basket", back_populates="items")
    video = db.relationship("Video")
