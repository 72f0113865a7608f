// The passage form: open it for a new span or an existing passage, save, delete, cancel.

import { createPassage, deletePassage, updatePassage } from "./api.js";
import { refreshBody } from "./highlighter.js";
import { workspace } from "./state.js";

let form;
let els;
let tagBoxes;
let editing = null; // { mode: "create", start, end, exact } or { mode: "edit", passage }
let returnFocus = null;
const organizationIds = new Map();
const organizationNames = new Map();

export function announce(message) {
  els.status.textContent = message;
}

export const isOpen = () => !form.hidden;

function placeForm(rect) {
  form.hidden = false;
  const body = workspace.body;
  const top = window.scrollY + (rect ? rect.bottom : body.getBoundingClientRect().top) + 8;
  const width = form.offsetWidth;
  const left = Math.max(
    8,
    Math.min(
      window.scrollX + (rect ? rect.left : 0),
      window.scrollX + document.documentElement.clientWidth - width - 8,
    ),
  );
  // CSSOM, not a style attribute: allowed by the Content Security Policy.
  form.style.top = `${top}px`;
  form.style.left = `${left}px`;
}

function resetForm() {
  announce("");
  for (const box of tagBoxes) {
    box.checked = false;
    box.disabled = false;
  }
  for (const field of [els.organization, els.note, els.passageStatus]) field.disabled = false;
  els.organization.value = "";
  els.note.value = "";
  els.passageStatus.value = "published";
  els.error.textContent = "";
  els.owner.hidden = true;
  els.save.hidden = false;
  els.del.hidden = true;
}

export function openCreate(span, exact, rect) {
  resetForm();
  editing = { mode: "create", ...span, exact };
  els.title.textContent = "New passage";
  els.quote.textContent = exact;
  returnFocus = workspace.body;
  placeForm(rect);
  (tagBoxes[0] || els.organization).focus();
  workspace.emit("form-open", { mode: "create", ...span });
}

export function openEdit(passage, rect, from) {
  resetForm();
  editing = { mode: "edit", passage };
  els.title.textContent = passage.can_edit ? "Edit passage" : "Passage";
  els.quote.textContent = passage.exact;
  for (const box of tagBoxes) box.checked = passage.tags.includes(box.value);
  els.organization.value = passage.organization
    ? organizationNames.get(passage.organization) || ""
    : "";
  els.note.value = passage.note;
  els.passageStatus.value = passage.status;
  if (!passage.can_edit) {
    for (const box of tagBoxes) box.disabled = true;
    for (const field of [els.organization, els.note, els.passageStatus]) field.disabled = true;
    els.save.hidden = true;
    els.owner.hidden = false;
    els.owner.textContent = `Marked by ${passage.annotator}; only they or an editor can change it.`;
  }
  els.del.hidden = !passage.can_delete;
  returnFocus = from || workspace.body;
  placeForm(rect);
  (passage.can_edit ? tagBoxes[0] || els.note : els.cancel).focus();
  workspace.emit("form-open", { mode: "edit", passage });
}

export function closeForm() {
  form.hidden = true;
  editing = null;
  if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  else workspace.body.focus();
  workspace.emit("form-close");
}

function organizationValue() {
  const name = els.organization.value.trim();
  if (!name) return { id: null };
  const id = organizationIds.get(name.toLowerCase());
  return id ? { id } : { error: `No organization is called “${name}”. Pick one from the list.` };
}

function showError(failure) {
  els.error.textContent = failure ? failure.message : "The server did not answer.";
}

async function save() {
  if (!editing) return;
  const organization = organizationValue();
  if (organization.error) {
    els.error.textContent = organization.error;
    els.organization.focus();
    return;
  }
  const coding = {
    tags: tagBoxes.filter((box) => box.checked).map((box) => box.value),
    organization: organization.id,
    note: els.note.value,
    status: els.passageStatus.value,
  };
  els.save.disabled = true;
  try {
    const mode = editing.mode;
    const result =
      mode === "create"
        ? await createPassage({
            article: workspace.data.article,
            start: editing.start,
            end: editing.end,
            exact: editing.exact,
            ...coding,
          })
        : await updatePassage(editing.passage.id, coding, editing.passage.modified);
    if (!result.ok) {
      showError(result.failure);
      return;
    }
    const before = mode === "edit" ? editing.passage : null;
    returnFocus = workspace.body;
    closeForm();
    window.getSelection().removeAllRanges();
    await refreshBody();
    announce(mode === "create" ? "Passage saved." : "Passage updated.");
    workspace.emit("saved", { passage: result.json, mode, before });
  } finally {
    els.save.disabled = false;
  }
}

async function remove() {
  if (!editing || editing.mode !== "edit") return;
  // eslint-disable-next-line no-alert -- a native, accessible confirmation
  if (!window.confirm("Delete this passage? This cannot be undone.")) return;
  const { id, modified } = editing.passage;
  const result = await deletePassage(id, modified);
  if (!result.ok) {
    showError(result.failure);
    return;
  }
  returnFocus = workspace.body;
  closeForm();
  await refreshBody();
  announce("Passage deleted.");
  workspace.emit("deleted", { id });
}

export function initForm(element, statusLine) {
  form = element;
  const byId = (id) => document.getElementById(id);
  els = {
    status: statusLine,
    title: byId("passage-form-title"),
    quote: byId("passage-form-quote"),
    owner: byId("passage-form-owner"),
    organization: byId("passage-organization"),
    note: byId("passage-note"),
    passageStatus: byId("passage-status"),
    error: byId("passage-form-error"),
    save: byId("passage-save"),
    cancel: byId("passage-cancel"),
    del: byId("passage-delete"),
  };
  tagBoxes = [...form.querySelectorAll('input[name="tags"]')];
  // Organization names and aliases -> id, from the datalist the server rendered.
  for (const option of document.querySelectorAll("#organization-options option")) {
    const id = Number(option.dataset.id);
    organizationIds.set(option.value.trim().toLowerCase(), id);
    if (!organizationNames.has(id)) organizationNames.set(id, option.value);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  els.cancel.addEventListener("click", closeForm);
  els.del.addEventListener("click", remove);
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing =
      target instanceof HTMLTextAreaElement ||
      (target instanceof HTMLInputElement && target.type === "text") ||
      target instanceof HTMLSelectElement;
    if (event.key === "Escape") {
      event.preventDefault();
      closeForm();
    } else if (event.key === "Enter" && !event.shiftKey && !(target instanceof HTMLButtonElement)) {
      // Enter saves from any field; Shift+Enter makes a new line in the note.
      event.preventDefault();
      if (!els.save.hidden) save();
    } else if (
      !typing &&
      /^[1-9]$/.test(event.key) &&
      !event.ctrlKey &&
      !event.altKey &&
      !event.metaKey
    ) {
      const box = tagBoxes[Number(event.key) - 1];
      if (box && !box.disabled) {
        event.preventDefault();
        box.checked = !box.checked;
      }
    }
  });
}
