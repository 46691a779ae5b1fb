/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_ledger_bank_transaction_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the imported transaction from the list",
            trigger: ".o_list_view .o_data_row td[name=payment_ref]:contains('Tour payment CL-TOUR-1')",
        },
        {
            content: "The form says where it came from",
            trigger: ".o_form_view .o_field_widget[name=ledger_import_key]:contains('tour:key:1')",
            isCheck: true,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=ledger_source_file]:contains('tour_statement.xml')",
            isCheck: true,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=ledger_raw_record]:contains('CL-TOUR-1')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_bank_statement_tour", {
    test: true,
    steps: () => [
        {
            content: "A statement whose balances do not add up shows in red",
            trigger: ".o_list_view .o_data_row.text-danger td[name=name]:contains('TOUR-GAP')",
            isCheck: true,
        },
        {
            content: "The balanced one does not",
            trigger: ".o_list_view .o_data_row:not(.text-danger) td[name=name]:contains('TOUR-OK')",
            isCheck: true,
        },
        {
            content: "Open the one that does not add up",
            trigger: ".o_list_view .o_data_row td[name=name]:contains('TOUR-GAP')",
        },
        {
            content: "The form says by how much, and where it came from",
            trigger: ".o_form_view .alert-warning:contains('6,644.80')",
            isCheck: true,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=ledger_source_file]:contains('tour_gap.sta')",
            isCheck: true,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row td[name=payment_ref]:contains('Tour statement line')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_robot_wizard_tour", {
    test: true,
    steps: () => [
        {
            content: "Choose the robot's login",
            trigger: ".o_field_widget[name=login] input",
            run: "text syncd-tour",
        },
        {
            content: "Create the robot and its key",
            trigger: "button[name=action_generate]",
        },
        {
            content: "The key is shown once",
            trigger: ".o_field_widget[name=key]:not(:empty)",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_manual_reconcile_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the transaction to reconcile",
            trigger: ".o_list_view .o_data_row td[name=payment_ref]:contains('Tour manual payment')",
        },
        {
            content: "Reconcile it by hand",
            trigger: ".o_form_view button[name=action_ledger_reconcile_wizard]",
        },
        {
            content: "Pick the customer's open invoice",
            trigger: ".o_data_row:contains('Tour Customer') td[name=selected] input",
        },
        {
            content: "Nothing is left over",
            trigger: ".o_field_widget[name=difference]:contains('0.00')",
            isCheck: true,
        },
        {
            content: "Reconcile",
            trigger: "button[name=action_reconcile]",
        },
        {
            content: "The transaction is reconciled",
            trigger: ".o_form_view .ribbon:contains('Reconciled')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_tier_recompute_tour", {
    test: true,
    steps: () => [
        {
            content: "Say why",
            trigger: ".o_field_widget[name=reason] input",
            run: "text Tour recompute",
        },
        {
            content: "Preview the moves",
            trigger: "button[name=action_preview]",
        },
        {
            content: "The preview lists who moves where",
            trigger: ".o_field_widget[name=line_ids] .o_data_row td[name=summary]:contains('to A')",
            isCheck: true,
        },
        {
            content: "Apply",
            trigger: "button[name=action_apply]",
        },
        {
            content: "Applied",
            trigger: "p.text-success:contains('Applied')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_credit_review_tour", {
    test: true,
    steps: () => [
        {
            content: "Ask for a credit review from the credit file",
            trigger: ".o_form_view button[name=action_ledger_request_review]",
        },
        {
            content: "The draft review starts from the current limit",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
            isCheck: true,
        },
        {
            content: "Ask for a higher limit",
            trigger: ".o_form_view .o_field_widget[name=requested_limit] input",
            run: "text 25000",
        },
        {
            content: "Say why",
            trigger: ".o_form_view .o_field_widget[name=rationale] textarea",
            run: "text Tour: larger orders for the new season",
        },
        {
            content: "Submit",
            trigger: ".o_form_view button[name=action_submit]",
        },
        {
            content: "Approve",
            extra_trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Submitted')",
            trigger: ".o_form_view button[name=action_approve]",
        },
        {
            content: "The review is approved",
            trigger: ".o_form_view .ribbon:contains('Approved')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("customer_ledger_credit_override_tour", {
    test: true,
    steps: () => [
        {
            content: "The draft invoice says it breaks the customer's credit, and by how much",
            trigger: ".o_form_view .alert-danger[name=ledger_credit_blocked]:contains('400.00 over its credit limit')",
            isCheck: true,
        },
        {
            content: "A Credit Manager overrides",
            trigger: ".o_form_view button[name=action_ledger_credit_override]",
        },
        {
            content: "Give the reason",
            trigger: ".o_field_widget[name=reason] textarea",  // in the dialog: tours look inside an open modal
            run: "text Tour: prepaid by wire",
        },
        {
            content: "Post",
            trigger: "button[name=action_post]",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            isCheck: true,
        },
        {
            content: "Open the customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] .o_form_uri, .o_form_view .o_field_widget[name=partner_id] a",
        },
        {
            content: "Its Ledger tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Ledger')",
        },
        {
            content: "The Ledger tab shows the exposure and the risk",
            trigger: ".o_form_view .o_field_widget[name=ledger_exposure]:contains('500.00')",
            extra_trigger: ".o_form_view .o_field_widget[name=ledger_risk_level]:contains('Critical')",
            isCheck: true,
        },
        {
            content: "and the override in the credit log",
            trigger: ".o_form_view .o_field_widget[name=ledger_credit_log_ids] td:contains('Tour: prepaid by wire')",
            isCheck: true,
        },
    ],
});
