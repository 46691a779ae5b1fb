/** @odoo-module **/
import { registry } from "@web/core/registry";

// A portal user disputes a line of its statement of account, with a comment and a file.
registry.category("web_tour.tours").add("customer_ledger_portal_dispute_tour", {
    test: true,
    url: "/my/statements",
    steps: () => [
        {
            content: "Open the statement from the list",
            trigger: ".o_portal_my_doc_table a[href^='/my/statements/']",
        },
        {
            content: "The statement shows its closing balance",
            trigger: ".o_ledger_statement_lines td:contains('Closing Balance')",
            isCheck: true,
        },
        {
            content: "Tick the first line",
            trigger: ".o_ledger_statement_lines tr[data-line-id]:first input.o_ledger_dispute_line",
        },
        {
            content: "Say what is wrong",
            trigger: "textarea[name=comment]",
            run: "text Tour: goods returned",
        },
        {
            content: "Attach a file",
            trigger: "input#ledger_dispute_attachment",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["Returned goods receipt"], "receipt.txt", { type: "text/plain" }));
                document.querySelector("#ledger_dispute_attachment").files = transfer.files;
            },
        },
        {
            content: "The name is filled in",
            trigger: "input#ledger_dispute_name[value='Pat Portal']",
            isCheck: true,
        },
        {
            content: "Dispute",
            trigger: "button.o_ledger_dispute",
        },
        {
            content: "The page shows the dispute, without the forms",
            trigger: ".o_ledger_statement_outcome:contains('Tour: goods returned')",
            extra_trigger: "body:not(:has(#ledger_statement_answer))",
            isCheck: true,
        },
    ],
});
