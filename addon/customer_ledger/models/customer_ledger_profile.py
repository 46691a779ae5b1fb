# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

LIFECYCLES = [
    ("potential", "Potential"),
    ("new", "New"),
    ("active", "Active"),
    ("long_term", "Long-term"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
CUSTOMER_TYPES = [("company", "Company"), ("individual", "Individual")]

# One pass over the company's posted customer invoices and credit notes, grouped by commercial
# partner: revenue over the window (net of credit notes, in the company's currency), invoices in
# the window, first and last invoice. The aggregation the recompute needs (and the floor its
# benchmark measures): the proposal below reads it as its first step.
_STATS = """
SELECT m.commercial_partner_id AS partner_id,
       SUM(m.amount_untaxed_signed)
           FILTER (WHERE m.invoice_date BETWEEN %(window_start)s AND %(today)s) AS revenue,
       COUNT(*) FILTER (WHERE m.move_type = 'out_invoice'
                          AND m.invoice_date BETWEEN %(window_start)s AND %(today)s) AS invoice_count,
       MIN(m.invoice_date) FILTER (WHERE m.move_type = 'out_invoice') AS first_date,
       MAX(m.invoice_date) FILTER (WHERE m.move_type = 'out_invoice' AND m.invoice_date <= %(today)s)
           AS last_date
  FROM account_move m
 WHERE m.company_id = %(company_id)s
   AND m.state = 'posted'
   AND m.move_type IN ('out_invoice', 'out_refund')
   AND m.commercial_partner_id IS NOT NULL
 GROUP BY m.commercial_partner_id
"""

# One pass over the partners: every customer (invoiced, marked as a customer, or already
# profiled) with its statistics and its profile, joined once; then ranked by revenue. The table is
# written in partner order, the order of the indexes the apply step inserts into (profiles,
# history, chatter), so that those inserts and their foreign-key look-ups walk each index and
# res_partner forwards instead of at random. It carries what the apply step writes (the partner's
# name and the tiers' codes for the chatter), so that each apply statement reads it alone, and
# only the customers whose profile is new or changes (a month on, a fraction of them): the apply
# step writes every row it holds. Tiers come from their bands by width_bucket, one lookup a row.
_PROPOSAL = """
CREATE TEMPORARY TABLE customer_ledger_tier_proposal ON COMMIT DROP AS
WITH stats AS (""" + _STATS + """), ranked_stats AS (
    -- the Pareto ranking needs only the invoiced customers: the others have no revenue, rank
    -- after them and take the last tier whatever is ranked before them. Position: the share of
    -- the revenue of the customers ranked before this one, in percent.
    SELECT s.*,
           100 * (SUM(GREATEST(s.revenue, 0)) OVER (ORDER BY COALESCE(s.revenue, 0) DESC, s.partner_id
                                                     ROWS UNBOUNDED PRECEDING) - GREATEST(s.revenue, 0))
               / NULLIF(SUM(GREATEST(s.revenue, 0)) OVER (), 0) AS rank_share
      FROM stats s
), ranked AS (
    SELECT p.id AS partner_id, p.name AS partner_name, p.is_company, p.ledger_source_id,
           COALESCE(s.revenue, 0) AS revenue, COALESCE(s.invoice_count, 0) AS invoice_count,
           s.first_date, s.last_date, s.rank_share,
           pr.id AS profile_id, pr.tier_id AS old_tier_id, pr.tier_locked, pr.lifecycle AS old_lifecycle,
           pr.revenue AS old_revenue, pr.invoice_count AS old_invoice_count, pr.first_invoice_date AS old_first_date,
           pr.last_invoice_date AS old_last_date, pr.customer_type AS old_customer_type,
           pr.source_id AS old_source_id
      FROM res_partner p
      LEFT JOIN ranked_stats s ON s.partner_id = p.id
      LEFT JOIN customer_ledger_profile pr ON pr.partner_id = p.id AND pr.company_id = %(company_id)s
     WHERE s.partner_id IS NOT NULL
        OR pr.id IS NOT NULL
        OR (p.customer_rank > 0 AND p.active AND p.id = p.commercial_partner_id
            AND (p.company_id IS NULL OR p.company_id = %(company_id)s))
), proposal AS (
    SELECT r.partner_id,
           r.partner_name,
           r.revenue,
           r.invoice_count,
           r.first_date,
           r.last_date,
           CASE WHEN r.is_company THEN 'company' ELSE 'individual' END AS customer_type,
           r.ledger_source_id AS source_id,
           r.profile_id,
           r.old_tier_id,
           COALESCE(r.tier_locked, FALSE) AS locked,
           r.old_lifecycle,
           r.old_revenue, r.old_invoice_count, r.old_first_date, r.old_last_date, r.old_customer_type,
           r.old_source_id,
           CASE
               WHEN r.first_date IS NULL THEN 'potential'
               WHEN r.last_date < %(lost_before)s THEN 'lost'
               WHEN r.last_date < %(dormant_before)s THEN 'dormant'
               WHEN r.first_date >= %(new_since)s THEN 'new'
               WHEN r.first_date < %(long_term_before)s THEN 'long_term'
               ELSE 'active'
           END AS lifecycle,
           -- the automatic tiers' bands, from _ledger_tier_bands: the customer's position (Pareto) or
           -- revenue (thresholds) finds its tier among the bounds; no revenue, the last tier
           CASE
               WHEN COALESCE(r.tier_locked, FALSE) OR %(method)s = 'manual' THEN r.old_tier_id
               WHEN r.revenue <= 0 THEN %(last_tier_id)s
               ELSE (%(tier_ids)s::int[])[1 + width_bucket(
                   CASE WHEN %(method)s = 'pareto' THEN r.rank_share ELSE r.revenue END, %(bounds)s::numeric[])]
           END AS new_tier_id
      FROM ranked r
)
SELECT proposal.*, old.code AS old_tier_code, new.code AS new_tier_code
  FROM proposal
  LEFT JOIN customer_ledger_tier old ON old.id = proposal.old_tier_id
  LEFT JOIN customer_ledger_tier new ON new.id = proposal.new_tier_id
 WHERE %(every_customer)s  -- the preview counts them all; the apply step needs only what changes
    OR proposal.profile_id IS NULL
    OR (proposal.old_tier_id, proposal.old_revenue, proposal.old_invoice_count, proposal.old_first_date,
        proposal.old_last_date, proposal.old_lifecycle, proposal.old_customer_type, proposal.old_source_id)
       IS DISTINCT FROM
       (proposal.new_tier_id, proposal.revenue, proposal.invoice_count, proposal.first_date, proposal.last_date,
        proposal.lifecycle, proposal.customer_type, proposal.source_id)
 ORDER BY proposal.partner_id
"""

_UPDATE_PROFILES = """
UPDATE customer_ledger_profile pr
   SET tier_id = c.new_tier_id, revenue = c.revenue, invoice_count = c.invoice_count,
       first_invoice_date = c.first_date, last_invoice_date = c.last_date, lifecycle = c.lifecycle,
       customer_type = c.customer_type, source_id = c.source_id, write_uid = %(uid)s, write_date = %(now)s
  FROM customer_ledger_tier_proposal c
 WHERE pr.id = c.profile_id
"""

_INSERT_PROFILES = """
INSERT INTO customer_ledger_profile (
    partner_id, company_id, tier_id, tier_locked, revenue, invoice_count, first_invoice_date,
    last_invoice_date, lifecycle, customer_type, source_id, create_uid, create_date, write_uid, write_date)
SELECT partner_id, %(company_id)s, new_tier_id, FALSE, revenue, invoice_count, first_date, last_date,
       lifecycle, customer_type, source_id, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM customer_ledger_tier_proposal
 WHERE profile_id IS NULL
"""

_APPLY_HISTORY = """
INSERT INTO customer_ledger_tier_history (
    partner_id, company_id, old_tier_id, new_tier_id, date, mode, reason,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, %(company_id)s, old_tier_id, new_tier_id, %(now)s, 'automatic', %(reason)s,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM customer_ledger_tier_proposal
 WHERE new_tier_id IS DISTINCT FROM old_tier_id
"""

# the partner's chatter: one note per change, written in the same statement
_APPLY_CHATTER = """
INSERT INTO mail_message (
    model, res_id, record_name, message_type, subtype_id, author_id, body, date, is_internal,
    create_uid, create_date, write_uid, write_date)
SELECT 'res.partner', partner_id, partner_name, 'notification', %(subtype_id)s, %(author_id)s,
       %(prefix)s || COALESCE(old_tier_code, %(none)s) || ' &#8594; ' || COALESCE(new_tier_code, %(none)s)
           || %(suffix)s,
       %(now)s, TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM customer_ledger_tier_proposal
 WHERE new_tier_id IS DISTINCT FROM old_tier_id
"""


def check_credit_manager(env, message):
    """Raise ``AccessError(message)`` unless the user is a Credit Manager (or superuser)."""
    if not env.su and not env.user.has_group("customer_ledger.group_credit_manager"):
        raise AccessError(message)


class CustomerLedgerProfile(models.Model):
    """What a commercial customer is worth to one company: tier, revenue, lifecycle."""

    _name = "customer.ledger.profile"
    _description = "Customer Ledger Profile"
    _order = "company_id, revenue desc, id"
    _rec_name = "partner_id"

    # looked up through the unique (partner, company) index; few other indexes, so that the
    # monthly recompute's updates stay cheap (HOT)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade",
                                 readonly=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", readonly=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    tier_id = fields.Many2one("customer.ledger.tier", ondelete="restrict",
                              domain="[('company_id', '=', company_id)]")
    tier_color = fields.Integer(related="tier_id.color")
    tier_locked = fields.Boolean(
        help="A tier given by hand (VIP, say): recomputation leaves it as it is.",
    )
    revenue = fields.Monetary(currency_field="currency_id", readonly=True,
                              help="Posted invoices less credit notes over the company's tier window, untaxed.")
    invoice_count = fields.Integer(string="Invoices in Window", readonly=True)
    first_invoice_date = fields.Date(readonly=True)
    last_invoice_date = fields.Date(readonly=True)
    lifecycle = fields.Selection(LIFECYCLES, readonly=True)
    customer_type = fields.Selection(CUSTOMER_TYPES, readonly=True)
    source_id = fields.Many2one("customer.ledger.source", readonly=True)
    history_ids = fields.One2many("customer.ledger.tier.history", compute="_compute_history_ids",
                                  string="Tier History")

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)", "A customer has one profile per company."),
    ]

    def init(self):
        # room in each page for the monthly updates to stay on it (HOT: no index touched)
        self.env.cr.execute("ALTER TABLE customer_ledger_profile SET (fillfactor = 70)")

    def _compute_history_ids(self):
        History = self.env["customer.ledger.tier.history"]
        for profile in self:
            profile.history_ids = History.search([
                ("partner_id", "=", profile.partner_id.id), ("company_id", "=", profile.company_id.id)])

    @api.constrains("tier_id", "company_id")
    def _check_tier_company(self):
        for profile in self:
            if profile.tier_id and profile.tier_id.company_id != profile.company_id:
                raise ValidationError(_("Tier %(tier)s belongs to another company than %(company)s.",
                                        tier=profile.tier_id.code, company=profile.company_id.name))

    # ------------------------------------------------------------------
    # Manual changes
    # ------------------------------------------------------------------

    def write(self, vals):
        if "tier_id" not in vals:
            return super().write(vals)
        old = {profile: profile.tier_id for profile in self}
        result = super().write(vals)
        reason = self.env.context.get("ledger_tier_reason") or _("Set by hand.")
        self.env["customer.ledger.tier.history"].sudo().create([{
            "partner_id": profile.partner_id.id,
            "company_id": profile.company_id.id,
            "old_tier_id": old[profile].id,
            "new_tier_id": profile.tier_id.id,
            "mode": "manual",
            "reason": reason,
        } for profile in self if old[profile] != profile.tier_id])
        for profile in self:
            if old[profile] != profile.tier_id:
                profile.partner_id.sudo().message_post(
                    body=Markup("{}: {} &#8594; {} ({})").format(
                        _("Tier in %s", profile.company_id.name), old[profile].code or _("none"),
                        profile.tier_id.code or _("none"), reason),
                    subtype_xmlid="mail.mt_note", author_id=self.env.user.partner_id.id,
                )
        return result

    # ------------------------------------------------------------------
    # Recomputation
    # ------------------------------------------------------------------

    @api.model
    def _ledger_check_manager(self):
        check_credit_manager(self.env, _("Only Credit Managers recompute customer tiers."))

    @api.model
    def _ledger_check_tiers(self, company):
        """Automatic tiers, best first, must cover bands that do not overlap."""
        tiers = self.env["customer.ledger.tier"].sudo().search(
            [("company_id", "=", company.id), ("automatic", "=", True)], order="sequence, id")
        for better, worse in zip(tiers, tiers[1:], strict=False):
            if company.ledger_tier_method == "pareto" and not better.revenue_share < worse.revenue_share:
                raise UserError(_(
                    "Tier %(worse)s comes after %(better)s, so its cumulative revenue share must be higher "
                    "(%(worse_share)s%% is not above %(better_share)s%%).", worse=worse.code, better=better.code,
                    worse_share=worse.revenue_share, better_share=better.revenue_share))
            if company.ledger_tier_method == "threshold" and not better.revenue_threshold > worse.revenue_threshold:
                raise UserError(_(
                    "Tier %(worse)s comes after %(better)s, so its revenue threshold must be lower "
                    "(%(worse_threshold)s is not below %(better_threshold)s).", worse=worse.code, better=better.code,
                    worse_threshold=worse.revenue_threshold, better_threshold=better.revenue_threshold))

    @api.model
    def _ledger_tier_bands(self, company):
        """The company's automatic tiers as the bounds between their bands, for ``width_bucket``:
        ``tier_ids[1 + width_bucket(value, bounds)]`` is a customer's tier. Pareto: the value is the
        share of revenue ranked before the customer and the bounds are the tiers' shares, best
        first (A up to 80, B up to 95, C the rest). Thresholds: the value is the customer's revenue
        and the bounds the thresholds, lowest first, the tiers worst first (C below 100, B below
        400, A from 400). _ledger_check_tiers keeps them in order."""
        tiers = self.env["customer.ledger.tier"].sudo().search(
            [("company_id", "=", company.id), ("automatic", "=", True)], order="sequence, id")
        if company.ledger_tier_method == "pareto":
            tier_ids, bounds = tiers.ids, tiers[:-1].mapped("revenue_share")
        else:
            tier_ids, bounds = tiers.ids[::-1], tiers[:-1].mapped("revenue_threshold")[::-1]
        return {"tier_ids": tier_ids, "bounds": bounds, "last_tier_id": tiers[-1:].id or None}

    @api.model
    def _ledger_proposal(self, company, today=None, every_customer=False):
        """Compute the proposal for ``company`` into the transaction's temporary table: the
        customers whose profile is new or changes, or ``every_customer``."""
        today = today or fields.Date.context_today(self)
        self._ledger_check_tiers(company)
        self.env.flush_all()
        self.env.cr.execute("DROP TABLE IF EXISTS customer_ledger_tier_proposal")
        # Enough memory for the aggregation and the ranking not to spill to disk; no JIT: the
        # planner overestimates the joins of the ranking and would spend longer compiling them
        # than running them.
        self.env.cr.execute("SET LOCAL work_mem = '64MB'")
        self.env.cr.execute("SET LOCAL jit = off")
        params = {
            "company_id": company.id,
            "method": company.ledger_tier_method,
            "today": today,
            "window_start": today - relativedelta(months=company.ledger_tier_window_months),
            "new_since": today - relativedelta(days=company.ledger_lifecycle_new_days),
            "long_term_before": today - relativedelta(days=company.ledger_lifecycle_long_term_days),
            "dormant_before": today - relativedelta(days=company.ledger_lifecycle_dormant_days),
            "lost_before": today - relativedelta(days=company.ledger_lifecycle_lost_days),
            "every_customer": every_customer,
        }
        params.update(self._ledger_tier_bands(company))
        self.env.cr.execute(_PROPOSAL, params)

    @api.model
    def _ledger_preview(self, company, today=None):
        """``[(old_tier_id, new_tier_id, count)]`` of the moves a recompute would make, and how many
        customers it covers."""
        self._ledger_proposal(company, today, every_customer=True)
        self.env.cr.execute("""
            SELECT old_tier_id, new_tier_id, COUNT(*) FROM customer_ledger_tier_proposal
             WHERE new_tier_id IS DISTINCT FROM old_tier_id
             GROUP BY old_tier_id, new_tier_id ORDER BY 3 DESC
        """)
        moves = self.env.cr.fetchall()
        self.env.cr.execute("""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE lifecycle IS DISTINCT FROM old_lifecycle)
              FROM customer_ledger_tier_proposal
        """)
        customers, lifecycle_changes = self.env.cr.fetchone()
        self.env.cr.execute("DROP TABLE customer_ledger_tier_proposal")
        return {"moves": moves, "customers": customers, "lifecycle_changes": lifecycle_changes}

    @api.model
    def _ledger_recompute(self, companies, today=None, reason=None):
        """Recompute tiers and lifecycles of ``companies``' customers, set-wise in SQL; keep each
        tier change in the history and the partner's chatter. Returns the number of changes."""
        self._ledger_check_manager()
        now = fields.Datetime.now()
        author = self.env.user.partner_id.id
        subtype = self.env.ref("mail.mt_note").id
        changed = 0
        for company in companies:
            self._ledger_proposal(company, today)
            params = {"company_id": company.id, "now": now, "uid": self.env.uid,
                      "reason": reason or _("Scheduled recomputation."), "subtype_id": subtype, "author_id": author,
                      "prefix": Markup("<p>{}: ").format(_("Tier in %s", company.name)), "none": _("none"),
                      "suffix": Markup(" ({})</p>").format(escape(reason or _("automatic recomputation")))}
            self.env.cr.execute(_APPLY_CHATTER, params)
            self.env.cr.execute(_APPLY_HISTORY, params)
            changed += self.env.cr.rowcount
            self.env.cr.execute(_UPDATE_PROFILES, params)
            self.env.cr.execute(_INSERT_PROFILES, params)
            if self.env.cr.rowcount > 1000:
                # many new profiles (the first run, say): plan the next run on fresh statistics
                self.env.cr.execute("ANALYZE customer_ledger_profile")
            self.env.cr.execute("DROP TABLE customer_ledger_tier_proposal")
            company.sudo().ledger_tiers_computed_at = now
        self.env.invalidate_all()
        return changed

    @api.model
    def _cron_ledger_recompute_tiers(self):
        companies = self.env["res.company"].search([])
        return self.sudo()._ledger_recompute(companies)


class CustomerLedgerTierHistory(models.Model):
    """One change of a customer's tier: automatic or by hand, by whom and why."""

    _name = "customer.ledger.tier.history"
    _description = "Customer Tier Change"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    old_tier_id = fields.Many2one("customer.ledger.tier", string="From", ondelete="set null")
    new_tier_id = fields.Many2one("customer.ledger.tier", string="To", ondelete="set null")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    mode = fields.Selection([("automatic", "Automatic"), ("manual", "By Hand")], required=True)
    # who: create_uid ("By" in the views); a recompute's own entries are written in bulk by SQL
    reason = fields.Text()

    def unlink(self):
        if not self.env.su:
            raise UserError(_("The tier history is kept: its entries cannot be deleted."))
        return super().unlink()
