/** @odoo-module **/
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_ledger_aging_report_tour", {
    test: true,
    steps: () => [
        {
            content: "Choose the buckets",
            trigger: ".o_field_widget[name=bounds] input",
            run: "text 15,30,60,90",
        },
        {
            content: "View the report",
            trigger: "button[name=action_view]",
        },
        {
            content: "The buckets are the pivot's columns, in order of age",
            trigger: ".o_pivot thead th:contains('Not Due') + th:contains('1-15') + th:contains('16-30')",
            isCheck: true,
        },
        {
            content: "The customer is a row, under its tier",
            trigger: ".o_pivot tbody th:contains('Tour Aging Customer')",
            isCheck: true,
        },
    ],
});
