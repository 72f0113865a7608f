// The typed fields of the ticked tags in the passage form (statistic → value, unit, year).
//
// Each tag with fields has a fieldset in the form (`data-tag-fields="<slug>"`), rendered by
// the server so the inputs exist without this script; here a fieldset is shown only while
// its tag is ticked, filled from a passage being edited, and read into the API's `fields`
// object: `{"<tag>.<field>": value}`, numbers as numbers, an emptied input as null (the
// API's merge patch removes it). Values of unticked tags are not sent: the server drops
// them when the tag goes.

let fieldsets = [];
let boxes = [];

const inputsOf = (fieldset) => [...fieldset.querySelectorAll("input[data-field-key]")];

function sync() {
  const ticked = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
  for (const fieldset of fieldsets) fieldset.hidden = !ticked.has(fieldset.dataset.tagFields);
}

/** Empty every field and hide the fieldsets of unticked tags. */
export function resetFields(disabled = false) {
  for (const fieldset of fieldsets) {
    for (const input of inputsOf(fieldset)) {
      input.value = "";
      input.disabled = disabled;
    }
  }
  sync();
}

/** Fill the fields from a passage's `fields` (as the API returns them). */
export function fillFields(values, disabled = false) {
  resetFields(disabled);
  for (const fieldset of fieldsets) {
    for (const input of inputsOf(fieldset)) {
      const value = values ? values[input.dataset.fieldKey] : undefined;
      if (value !== undefined && value !== null) input.value = String(value);
    }
  }
}

/** The `fields` object to send: the ticked tags' inputs only. */
export function fieldValues() {
  const values = {};
  for (const fieldset of fieldsets) {
    if (fieldset.hidden) continue;
    for (const input of inputsOf(fieldset)) {
      const text = input.value.trim();
      const numeric = input.dataset.fieldKind === "number" || input.dataset.fieldKind === "integer";
      // A number the browser reads as one goes as a number; anything else as typed, for
      // the server to refuse with its coded error.
      values[input.dataset.fieldKey] =
        text === "" ? null : numeric && Number.isFinite(Number(text)) ? Number(text) : text;
    }
  }
  return values;
}

export function initTagFields(form) {
  fieldsets = [...form.querySelectorAll("[data-tag-fields]")];
  boxes = [...form.querySelectorAll('input[name="tags"]')];
  for (const box of boxes) box.addEventListener("change", sync);
  sync();
}

/** Call after ticking a box from script (a keyboard shortcut sets `checked`, no event). */
export const syncFields = sync;
