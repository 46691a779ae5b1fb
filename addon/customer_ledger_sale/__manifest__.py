# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Customer Ledger for Sales",
    "summary": "Sales orders in a customer's credit exposure, and its credit checked when they are confirmed",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/customer-ledger/customer-ledger",
    "author": "Customer Ledger contributors",
    "license": "LGPL-3",
    "depends": ["customer_ledger", "sale"],
    "data": [
        "security/customer_ledger_sale_rules.xml",
        "views/customer_ledger_credit_file_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "wizards/customer_ledger_credit_override_wizard_views.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
