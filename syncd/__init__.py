"""syncd: brings bank and payment-provider feeds into Odoo's Customer Ledger."""

__version__ = "0.1.0"

#: Major version of the addon's RPC contract this daemon speaks.
API_VERSION = 1
