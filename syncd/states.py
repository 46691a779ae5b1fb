"""Where a transaction stands in the state store, apart from the store itself: the engine and
the metrics name states without importing SQLAlchemy (``syncd parse`` has no store)."""

from __future__ import annotations

import enum


class State(str, enum.Enum):
    """Where a transaction stands. A file is parsed and its transactions stored all together
    (a file is stored whole or not at all; a file refused whole is quarantined as a file, see
    :class:`QuarantineRecord`); then each goes queued, sending, confirmed, and reconciled,
    suggested or unmatched. ``SENDING`` is written, with the batch, before the RPC call: a
    transaction left in it was maybe created in Odoo, and the next push first asks Odoo which
    of those keys it has, then sends the others again."""

    QUEUED = "queued"
    SENDING = "sending"
    CONFIRMED = "confirmed"
    RECONCILED = "reconciled"
    #: Odoo has a candidate but is not sure enough: an accountant decides in Odoo.
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    #: Odoo refused the batch for good (bad data, unknown journal); the reason is kept, and
    #: ``syncd retry`` queues it again after a fix.
    QUARANTINED = "quarantined"
