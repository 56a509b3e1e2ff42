// Progressive enhancement of the editing forms' organisation pickers
// (templates/editing/widgets/chosen_organisations.html): each "Add an organisation" list becomes
// a GOV.UK accessible-autocomplete, and choosing an organisation adds it at once as a ticked
// checkbox and empties the box, so several can be added before saving. Without this script the
// list adds one organisation a save. Needs vendor/accessible-autocomplete, loaded before it.
(function () {
  "use strict";

  const HINT = "Type part of a name and choose it; add as many as needed. Untick one to remove it.";

  function checkboxes(list) {
    return [...list.querySelectorAll('input[type="checkbox"]')];
  }

  function addCheckbox(list, organisation) {
    const existing = checkboxes(list).find((box) => box.value === organisation.value);
    if (existing) {
      existing.checked = true;
      return;
    }
    const item = document.createElement("div");
    item.className = "ds_checkbox ds_checkbox--small";
    const box = document.createElement("input");
    box.className = "ds_checkbox__input";
    box.type = "checkbox";
    box.name = list.dataset.organisationPicker;
    box.value = organisation.value;
    box.id = `${list.dataset.organisationPicker}-added-${organisation.value}`;
    box.checked = true; // not defaultChecked: the form now holds a change not yet saved
    const label = document.createElement("label");
    label.className = "ds_checkbox__label";
    label.htmlFor = box.id;
    label.textContent = organisation.name;
    item.append(box, label);
    list.append(item);
  }

  function enhance(list) {
    const picker = list.closest(".org-picker");
    const select = picker && picker.querySelector("select");
    if (!select || list.dataset.enhanced) return;
    list.dataset.enhanced = "true";

    // Every organisation: those not chosen (the list) and those chosen (the checkboxes), so one
    // unticked by mistake can be chosen again.
    const organisations = [...select.options]
      .filter((option) => option.value)
      .map((option) => ({ value: option.value, name: option.textContent.trim() }))
      .concat(checkboxes(list).map((box) => ({
        value: box.value,
        name: picker.querySelector(`label[for="${box.id}"]`).textContent.trim(),
      })))
      .sort((a, b) => a.name.localeCompare(b.name));

    function source(query, populate) {
      const wanted = query.trim().toLowerCase();
      const ticked = new Set(checkboxes(list).filter((box) => box.checked).map((box) => box.value));
      const matches = organisations.filter((organisation) => !ticked.has(organisation.value)
        && organisation.name.toLowerCase().includes(wanted));
      // Names that start with what was typed come first.
      matches.sort((a, b) => Number(!a.name.toLowerCase().startsWith(wanted))
        - Number(!b.name.toLowerCase().startsWith(wanted)));
      populate(matches.map((organisation) => organisation.name));
    }

    const status = picker.querySelector('[role="status"]');
    const legend = picker.querySelector("legend");
    const hint = picker.querySelector(".org-picker__hint");
    if (hint) hint.textContent = HINT;

    // The design system's arrow belongs to the plain list, not to the text box.
    const wrapper = select.closest(".ds_select-wrapper");
    if (wrapper) wrapper.replaceWith(select);

    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      source,
      defaultValue: "",
      showAllValues: false,
      autoselect: true,
      confirmOnBlur: false,
      dropdownArrow: () => "",
      tNoResults: () => "No organisation found",
      // Read when the box is empty: the page's hint, then how to use the suggestions.
      tAssistiveHint: () => `${HINT} When suggestions appear, use the up and down arrows to `
        + "review them and Enter to choose one.",
      onConfirm(name) {
        const organisation = organisations.find((candidate) => candidate.name === name);
        if (!organisation) return;
        addCheckbox(list, organisation);
        if (status) status.textContent = `${organisation.name} added to ${legend.textContent}.`;
        // The autocomplete sets its box to the chosen name after this returns: empty it then.
        window.setTimeout(() => {
          const input = picker.querySelector(".autocomplete__input");
          input.value = "";
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }, 0);
      },
    });
  }

  function enhanceAll(scope) {
    if (!window.accessibleAutocomplete) return;
    const root = scope.querySelectorAll ? scope : document;
    if (root.matches && root.matches("[data-organisation-picker]")) enhance(root);
    root.querySelectorAll("[data-organisation-picker]").forEach(enhance);
  }

  // htmx fires htmx:load for the page and for every fragment it swaps in (a form shown for
  // editing in place, or sent back with errors); the first call covers a page without htmx.
  document.addEventListener("htmx:load", (event) => enhanceAll(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  } else {
    enhanceAll(document);
  }
})();
