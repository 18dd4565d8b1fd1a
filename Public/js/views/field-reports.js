// Field reports (phản ánh hiện trường), staff console. One route, three pages chosen by the rest of the hash:
//   #/field-reports, #/field-reports/queue/{new|mine|near|overdue|reopened|open|all}?filters…  → the work queues
//   #/field-reports/case/{code}                                                               → one case
//   #/field-reports/routing                                                                   → the routing table
import * as caseView from "./field-reports-case.js";
import * as queueView from "./field-reports-queue.js";
import * as routingView from "./field-reports-routing.js";

export function mount(root, context) {
  const path = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  const [, page, argument] = path;
  root.classList.add("frc");
  if (page === "case" && argument) {
    let code = argument;
    try {
      code = decodeURIComponent(argument);
    } catch {
      // A malformed escape: use the text as it is; the server answers 404.
    }
    root.classList.add("frc-page-case");
    return caseView.mount(root, context, code);
  }
  if (page === "routing") {
    root.classList.add("frc-page-routing");
    return routingView.mount(root, context);
  }
  root.classList.add("frc-page-queue");
  return queueView.mount(root, context, page === "queue" ? argument : null);
}
