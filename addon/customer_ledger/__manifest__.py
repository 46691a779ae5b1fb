# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Customer Ledger",
    "summary": "Customer ledger: bank feeds with stable identities, "
    "reconciliation with customers and the bank",
    "version": "17.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/customer-ledger/customer-ledger",
    "author": "Customer Ledger contributors",
    "license": "LGPL-3",
    "depends": ["account", "mail"],
    "external_dependencies": {"python": ["rapidfuzz"]},
    "data": [
        "security/customer_ledger_security.xml",
        "security/ir.model.access.csv",
        "security/customer_ledger_rules.xml",
        "data/ir_cron.xml",
        "data/customer_ledger_tier_data.xml",
        "views/customer_ledger_menus.xml",
        "views/account_bank_statement_line_views.xml",
        "views/customer_ledger_counterparty_views.xml",
        "views/customer_ledger_tier_views.xml",
        "views/customer_ledger_profile_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/customer_ledger_reconcile_wizard_views.xml",
        "wizards/customer_ledger_robot_wizard_views.xml",
        "wizards/customer_ledger_tier_wizard_views.xml",
        "wizards/customer_ledger_credit_hold_wizard_views.xml",
        "views/customer_ledger_credit_file_views.xml",
    ],
    "demo": ["demo/customer_ledger_demo.xml"],
    "assets": {
        "web.assets_tests": ["customer_ledger/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
