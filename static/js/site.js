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

DS.initAll();
initYearTabs(document);

// Re-initialise design-system components inside fragments swapped in by htmx.
document.body.addEventListener("htmx:afterSwap", (event) => {
  DS.initAll(event.target);
  initYearTabs(event.target);
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
