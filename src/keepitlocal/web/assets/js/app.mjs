// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// htmx swaps in new markup; start the GOV.UK components inside it too.
document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.target });
});
