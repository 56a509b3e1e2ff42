// Progressive enhancement: the pages work without this file.
import DS from "../vendor/sgds/scripts/design-system.js";

function hashTarget() {
  try {
    const id = decodeURIComponent(window.location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  } catch {
    return null; // not a valid escaped address
  }
}

// A route map's year tabs: the design system's tabs, opening on the year the address names
// (or the year holding the milestone it names), otherwise on the current plan year, which the
// page gives in data-opening-tab. The design system's own tabs open on the first tab.
class YearTabs extends DS.components.Tabs {
  set() {
    if (this.isInitialised) return;
    super.set();
    const wanted = this.tabForHash() || this.getTab(this.tabContainer.dataset.openingTab);
    if (wanted) this.goToTab(wanted.parentElement);
  }

  // The tab link whose panel is, or holds, the element the address names.
  tabForHash() {
    const target = hashTarget();
    const panel = target && target.closest(".ds_tabs__content");
    if (!panel || !this.tabContents.includes(panel)) return null;
    return this.getTab("#" + panel.id);
  }

  onHashChange() {
    const link = this.tabForHash();
    if (!link || !this.isInitialised) return;
    this.goToTab(link.parentElement);
    const target = hashTarget();
    if (target === this.getTabContent(link.parentElement)) link.focus();
    else target.scrollIntoView();
  }
}

function initYearTabs(scope) {
  scope.querySelectorAll('[data-module="rm-year-tabs"]:not(.js-instantiated)').forEach((element) => {
    new YearTabs(element).init();
  });
}

// "Hide this page": the design system leaves the page on any Esc keyup (a listener on
// document). Esc also means "cancel" inside a field, and leaving would throw away what someone
// typed, so the shortcut is held back while a form field has focus or a form holds typing
// that has not been sent. Clicking the button always works.
const FIELD = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";

// A form holds unsent typing when a field differs from the value the page was served with,
// or when the server sent it back with errors or a conflict (what it shows is not saved).
function holdsUnsentTyping(form) {
  if ((form.method || "get").toLowerCase() !== "post") return false; // searches and filters
  if (form.querySelector(".ds_question--error, .ds_error-summary")) return true;
  return [...form.elements].some((field) => {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return [...field.options].some((option) => option.selected !== option.defaultSelected);
    }
    if (field.tagName === "TEXTAREA" || field.tagName === "INPUT") {
      return !["hidden", "submit", "button", "file"].includes(field.type)
        && field.value !== field.defaultValue;
    }
    return false;
  });
}

function escWouldLoseWork() {
  const focused = document.activeElement;
  if (focused && focused.matches && focused.matches(FIELD)) return true;
  return [...document.forms].some(holdsUnsentTyping);
}

// An Esc that cancelled an in-place form (below) is not also a "Hide this page".
let escCancelledForm = false;

// The design system acts on keyup; capturing it on window runs before its listener on document.
window.addEventListener("keyup", (event) => {
  if ((event.key === "Escape" || event.key === "Esc") && (escWouldLoseWork() || escCancelledForm)) {
    event.stopPropagation();
  }
  escCancelledForm = false;
}, { capture: true });

DS.initAll();
initYearTabs(document);

// Back and Forward ask the server for the page (historyCacheSize 0). Pressed twice quickly, the
// answers may arrive out of order and the first would land under the second page's address:
// only the latest request may answer.
let historyRequest = null;
document.body.addEventListener("htmx:historyCacheMiss", (event) => {
  if (historyRequest) historyRequest.abort();
  historyRequest = event.detail.xhr;
});

// Re-initialise design-system components inside fragments swapped in by htmx.
document.body.addEventListener("htmx:afterSwap", (event) => {
  DS.initAll(event.target);
  initYearTabs(event.target);
});

// Focus and announcements for what htmx swaps in place (without this file the same forms are
// pages of their own, where autofocus does the work). A fragment marks where focus goes:
// data-focus-here (an error or conflict summary, or the item's Edit link once it is saved or
// cancelled), else data-focus-first (an in-place form: its first field); data-announce marks
// words for the page's live region. The page title says "Error:" while a summary is shown.
const FIRST_FIELD = "input:not([type=hidden]), textarea, select";

function settleFocus() {
  const here = document.querySelector("[data-focus-here]");
  const form = document.querySelector("[data-focus-first]");
  const target = here || (form && form.querySelector(FIRST_FIELD));
  if (form) form.setAttribute("data-in-place", "");
  document.querySelectorAll("[data-focus-here], [data-focus-first]").forEach((element) => {
    element.removeAttribute("data-focus-here");
    element.removeAttribute("data-focus-first");
  });
  if (target) target.focus();
  const announcer = document.getElementById("announcer");
  const said = document.querySelector("[data-announce]");
  if (announcer && said) {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = said.textContent.trim(); }, 50);
  }
  document.querySelectorAll("[data-announce]").forEach((element) => {
    element.removeAttribute("data-announce");
  });
  const error = document.querySelector("main .ds_error-summary");
  const title = document.title.replace(/^Error: /, "");
  document.title = error ? `Error: ${title}` : title;
}

// What the page was served with is already focused by autofocus, where it asks.
document.querySelectorAll("[data-focus-here], [data-focus-first], [data-announce]").forEach(
  (element) => {
    ["data-focus-here", "data-focus-first", "data-announce"].forEach((name) => {
      element.removeAttribute(name);
    });
  },
);
document.body.addEventListener("htmx:afterSettle", settleFocus);

// Escape in a form swapped in place cancels it, as its Cancel button does, unless something
// typed would be lost (then it is held back, as for "Hide this page" above).
document.body.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" && event.key !== "Esc") return;
  const form = event.target.closest && event.target.closest("[data-in-place] form");
  const cancel = form && form.querySelector("[data-cancel]");
  if (cancel && !holdsUnsentTyping(form)) {
    event.preventDefault();
    escCancelledForm = true;
    cancel.click();
  }
});

// Open every accordion section and disclosure before printing so nothing is left out (the
// print stylesheet shows them too, for browsers without this script); close them after.
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  document.querySelectorAll(".ds_accordion-item").forEach((item) => {
    item.classList.add("ds_accordion-item--open");
    const control = item.querySelector(".ds_accordion-item__control");
    if (control) control.checked = true;
  });
  openedForPrint = [...document.querySelectorAll("details:not([open])")];
  openedForPrint.forEach((details) => { details.open = true; });
});
window.addEventListener("afterprint", () => {
  openedForPrint.forEach((details) => { details.open = false; });
  openedForPrint = [];
});
