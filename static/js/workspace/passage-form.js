// The passage form, a modal dialog docked beside (or below) the words it describes.
//
// A native <dialog> opened with showModal(): the page behind is inert, Escape cancels, and
// Tab is kept inside (wrapping at both ends). It docks in the column right of the article
// when there is room, otherwise below or above the selection, and never covers the
// selected words, which stay painted (CSS Custom Highlight "ws-pending") while the page
// behind is inert. Its fields scroll inside it; its head and its Save button stay in view.
// A failed save keeps the form open with the coding as typed, says what failed and offers
// Retry.

import { createPassage, deletePassage, updatePassage } from "./api.js";
import { refreshBody } from "./highlighter.js";
import { rangeOf } from "./selection.js";
import { workspace } from "./state.js";
import { fieldValues, fillFields, initTagFields, resetFields, syncFields } from "./tag-fields.js";

const GAP = 8;
const HIGHLIGHTS = typeof CSS !== "undefined" && "highlights" in CSS;

let dialog;
let form;
let els;
let tagBoxes;
let editing = null; // { mode: "create", start, end, exact } or { mode: "edit", passage }
let returnFocus = null;

export const isOpen = () => dialog.open;

function targetRect() {
  const { start, end } = editing.mode === "create" ? editing : editing.passage;
  const rects = [...rangeOf(start, end).getClientRects()].filter((r) => r.width || r.height);
  if (!rects.length) return workspace.body.getBoundingClientRect();
  const top = Math.min(...rects.map((r) => r.top));
  const bottom = Math.max(...rects.map((r) => r.bottom));
  const left = Math.min(...rects.map((r) => r.left));
  const right = Math.max(...rects.map((r) => r.right));
  return { top, bottom, left, right, height: bottom - top, width: right - left };
}

/** Dock the dialog: beside the article column if it fits, else below or above the words. */
function dock() {
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const column = workspace.body.getBoundingClientRect();
  let rect = targetRect();
  // First bring the words into view, with room above them for their context.
  if (rect.top < GAP || rect.top > vh * 0.6) {
    window.scrollBy({ top: rect.top - Math.min(vh * 0.2, 160), behavior: "instant" });
    rect = targetRect();
  }
  dialog.style.maxHeight = `${vh - 2 * GAP}px`;
  const besideRoom = vw - column.right - 2 * GAP;
  const minWidth = 320;
  if (besideRoom >= minWidth) {
    const width = Math.min(416, besideRoom);
    dialog.style.width = `${width}px`;
    const height = dialog.offsetHeight;
    dialog.style.left = `${column.right + GAP}px`;
    dialog.style.top = `${Math.max(GAP, Math.min(rect.top - 40, vh - height - GAP))}px`;
    dialog.dataset.dock = "beside";
    return;
  }
  const width = Math.min(416, vw - 2 * GAP);
  dialog.style.width = `${width}px`;
  const left = Math.max(GAP, Math.min(rect.left, vw - width - GAP));
  dialog.style.left = `${left}px`;
  const below = vh - rect.bottom - 2 * GAP;
  const above = rect.top - 2 * GAP;
  if (below >= Math.min(dialog.offsetHeight, 360) || below >= above) {
    dialog.style.maxHeight = `${Math.max(below, 240)}px`;
    dialog.style.top = `${Math.min(rect.bottom + GAP, vh - Math.max(below, 240) - GAP)}px`;
    dialog.dataset.dock = "below";
  } else {
    dialog.style.maxHeight = `${above}px`;
    dialog.style.top = `${Math.max(GAP, rect.top - GAP - Math.min(dialog.offsetHeight, above))}px`;
    dialog.dataset.dock = "above";
  }
}

function paintPending() {
  if (!HIGHLIGHTS) return;
  const { start, end } = editing.mode === "create" ? editing : editing.passage;
  CSS.highlights.set("ws-pending", new Highlight(rangeOf(start, end)));
}

function show(focus) {
  dialog.showModal();
  paintPending();
  dock();
  focus.focus();
}

function clearError() {
  els.error.textContent = "";
  els.retry.hidden = true;
}

function resetForm() {
  for (const box of tagBoxes) {
    box.checked = false;
    box.disabled = false;
  }
  for (const field of [els.organization, els.note, els.passageStatus]) field.disabled = false;
  els.organization.value = "";
  els.note.value = "";
  els.passageStatus.value = "published";
  resetFields();
  clearError();
  els.owner.hidden = true;
  els.save.hidden = false;
  els.del.hidden = true;
}

/** `preset` pre-fills the form (a suggestion accepted, suggestions.js): `tags` (slugs) to
 * tick, `organization` (an id), and `suggestion`, the kind sent with the create so the
 * acceptance is counted. The coder may change all of it before saving. */
export function openCreate(span, exact, preset = {}) {
  if (dialog.open) return;
  resetForm();
  editing = { mode: "create", ...span, exact, suggestion: preset.suggestion || null };
  for (const box of tagBoxes) box.checked = (preset.tags || []).includes(box.value);
  if (preset.organization) {
    els.organization.value = workspace.organizationNames.get(preset.organization) || "";
  }
  els.title.textContent = "New passage";
  els.quote.textContent = exact;
  returnFocus = workspace.body;
  show(tagBoxes[0] || els.organization);
  workspace.emit("form-open", { mode: "create", ...span, suggestion: editing.suggestion });
}

export function openEdit(passage, from) {
  if (dialog.open) return;
  resetForm();
  editing = { mode: "edit", passage };
  els.title.textContent = passage.can_edit ? "Edit passage" : "Passage";
  els.quote.textContent = passage.exact;
  for (const box of tagBoxes) box.checked = passage.tags.includes(box.value);
  els.organization.value = passage.organization
    ? workspace.organizationNames.get(passage.organization) || ""
    : "";
  els.note.value = passage.note;
  els.passageStatus.value = passage.status;
  fillFields(passage.fields, !passage.can_edit);
  if (!passage.can_edit) {
    for (const box of tagBoxes) box.disabled = true;
    for (const field of [els.organization, els.note, els.passageStatus]) field.disabled = true;
    els.save.hidden = true;
    els.owner.hidden = false;
    els.owner.textContent = `Marked by ${passage.annotator}; only they or an editor can change it.`;
  }
  els.del.hidden = !passage.can_delete;
  returnFocus = from || workspace.body;
  show(passage.can_edit ? tagBoxes[0] || els.note : els.cancel);
  workspace.emit("form-open", { mode: "edit", passage });
}

export function closeForm({ saved = false } = {}) {
  if (dialog.open) dialog.close();
  if (HIGHLIGHTS) CSS.highlights.delete("ws-pending");
  editing = null;
  if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  else workspace.body.focus();
  workspace.emit("form-close", { saved });
}

function organizationValue() {
  const name = els.organization.value.trim();
  if (!name) return { id: null };
  const id = workspace.organizationIds.get(name.toLowerCase());
  return id ? { id } : { error: `No organization is called “${name}”. Pick one from the list.` };
}

function showFailure(what, failure) {
  els.error.textContent = `${what} failed: ${failure.message}`;
  els.retry.hidden = !failure.retry;
  els.retry.dataset.action = what === "Deleting" ? "delete" : "save";
}

async function save() {
  if (!editing || els.save.disabled) return;
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
    fields: fieldValues(),
  };
  clearError();
  els.save.disabled = true;
  els.save.textContent = "Saving…";
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
            ...(editing.suggestion ? { suggestion: editing.suggestion } : {}),
          })
        : await updatePassage(editing.passage.id, coding, editing.passage.modified);
    if (!result.ok) {
      showFailure("Saving", result.failure);
      return;
    }
    const before = mode === "edit" ? editing.passage : null;
    returnFocus = workspace.body;
    closeForm({ saved: true });
    window.getSelection().removeAllRanges();
    await refreshBody();
    workspace.emit("saved", { passage: result.json, mode, before });
  } finally {
    els.save.disabled = false;
    els.save.textContent = "Save";
  }
}

async function remove() {
  if (!editing || editing.mode !== "edit") return;
  // eslint-disable-next-line no-alert -- a native, accessible confirmation
  if (!window.confirm("Delete this passage?")) return;
  const passage = editing.passage;
  clearError();
  const result = await deletePassage(passage.id, passage.modified);
  if (!result.ok) {
    showFailure("Deleting", result.failure);
    return;
  }
  returnFocus = workspace.body;
  closeForm({ saved: true });
  await refreshBody();
  workspace.emit("deleted", { passage });
}

function focusables() {
  return [...dialog.querySelectorAll("input, select, textarea, button, [href], [tabindex]")].filter(
    (el) => !el.disabled && !el.hidden && el.tabIndex >= 0 && el.getClientRects().length,
  );
}

export function initForm(dialogElement) {
  dialog = dialogElement;
  form = dialog.querySelector("form");
  const byId = (id) => document.getElementById(id);
  els = {
    title: byId("passage-form-title"),
    quote: byId("passage-form-quote"),
    owner: byId("passage-form-owner"),
    organization: byId("passage-organization"),
    note: byId("passage-note"),
    passageStatus: byId("passage-status"),
    error: byId("passage-form-error"),
    save: byId("passage-save"),
    retry: byId("passage-retry"),
    cancel: byId("passage-cancel"),
    del: byId("passage-delete"),
  };
  tagBoxes = [...form.querySelectorAll('input[name="tags"]')];
  initTagFields(form);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  els.cancel.addEventListener("click", () => closeForm());
  els.del.addEventListener("click", remove);
  els.retry.addEventListener("click", () => (els.retry.dataset.action === "delete" ? remove() : save()));
  // Escape through the browser's own path (the dialog's cancel event) closes it our way.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    closeForm();
  });
  // An error line or a longer quote makes it taller: keep its foot (Save) on screen.
  new ResizeObserver(() => {
    if (!dialog.open) return;
    const rect = dialog.getBoundingClientRect();
    if (rect.bottom > window.innerHeight - GAP) {
      dialog.style.top = `${Math.max(GAP, window.innerHeight - rect.height - GAP)}px`;
    }
  }).observe(dialog);
  window.addEventListener("resize", () => {
    if (dialog.open && editing) dock();
  });
  dialog.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing =
      target instanceof HTMLTextAreaElement ||
      (target instanceof HTMLInputElement && target.type !== "checkbox") ||
      target instanceof HTMLSelectElement;
    if (event.key === "Escape") {
      event.preventDefault();
      closeForm();
    } else if (event.key === "Tab") {
      // The focus trap: wrap at both ends instead of leaving for the browser's chrome.
      const items = focusables();
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
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
        syncFields();
      }
    }
  });
}
