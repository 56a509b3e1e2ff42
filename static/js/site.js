// Progressive enhancement: the pages work without this file.
import DS from "../vendor/sgds/scripts/design-system.js";

DS.initAll();

// Re-initialise design-system components inside fragments swapped in by htmx.
document.body.addEventListener("htmx:afterSwap", (event) => {
  DS.initAll(event.target);
});

// Open every accordion section before printing so nothing is left out.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll(".ds_accordion-item").forEach((item) => {
    item.classList.add("ds_accordion-item--open");
    const control = item.querySelector(".ds_accordion-item__control");
    if (control) control.checked = true;
  });
});
