/** @odoo-module **/
import { registry } from "@web/core/registry";

// a promise is for the next 365 days at most: 30 days ahead, as the test expects
const promised = luxon.DateTime.now().plus({ days: 30 }).toFormat("MM/dd/yyyy");

registry.category("web_tour.tours").add("customer_ledger_reminder_tour", {
    test: true,
    steps: () => [
        {
            content: "Open the customer's Ledger tab",
            trigger: ".o_notebook .nav-link:contains('Ledger')",
        },
        {
            content: "Send its payment reminder now",
            trigger: "button[name=action_ledger_send_reminder]",
        },
        {
            content: "The reminder went out",
            trigger: ".o_notification:contains('Payment reminder sent to ap@tour-reminder.example.com')",
            isCheck: true,
        },
        {
            content: "The Ledger tab lists it, sent",
            trigger: ".o_notebook .nav-link:contains('Ledger')",
        },
        {
            trigger: ".o_field_widget[name=ledger_reminder_ids] .o_data_row:contains('Sent'):contains('First Reminder')",
            isCheck: true,
        },
        {
            content: "Record a promise to pay",
            trigger: "button[name=action_ledger_record_promise]",
        },
        {
            trigger: ".o_field_widget[name=promise_date] input",
            run: `text ${promised}`,
        },
        {
            trigger: ".o_field_widget[name=promise_amount] input",
            run: "text 500",
        },
        {
            trigger: ".o_field_widget[name=promise_note] textarea",
            run: "text Pays next month",
        },
        {
            trigger: "button[name=action_apply]",
        },
        {
            content: "The tab shows the promise",
            trigger: `.o_field_widget[name=ledger_promise_date]:contains('${promised}')`,
            isCheck: true,
        },
    ],
});
