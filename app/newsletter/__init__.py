"""The newsletter: subscriptions (double opt-in, one-click unsubscribe) and issues sent to
every confirmed subscriber exactly once, in their language.

routes (visitors, accounts) and staff_routes → service (subscribers) and campaign (an
issue's send: start, stop, resume, progress) → models; routes enqueue tasks. tasks (the
delivery run, the periodic housekeeping) call delivery, campaign and service. delivery
drives transport (SMTP), run_connection and ledger (the run's database writes) and
message (the bytes of each mail). See docs/newsletter.md.
"""

from app.newsletter import routes, staff_routes  # noqa: F401  (they attach their views to bp)
from app.newsletter.blueprint import bp, staff_bp

__all__ = ["bp", "staff_bp"]
