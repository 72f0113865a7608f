// The annotation workspace: select text, code it, save it through the JSON API.
//
// Everything is stored through /api/annotations/ (the same services as the admin); this
// module runs the passage form and converts offsets at the edge. It never draws a
// highlight: the server renders the body with the public page's highlighter
// (publishing/highlighting.py), and after every write this module fetches that body again
// (`?part=body`), so a passage has one colour everywhere.

import { OffsetMap, rangeToCodePoints } from "./offsets.js";

const API = "/api/annotations/";

const readData = (root) => JSON.parse(root.getElementById("workspace-data").textContent);
const data = readData(document);
const body = document.querySelector("[data-article-body]");
const form = document.getElementById("passage-form");
const list = document.getElementById("passage-list");
const statusLine = document.getElementById("workspace-status");
const els = {
  title: document.getElementById("passage-form-title"),
  quote: document.getElementById("passage-form-quote"),
  owner: document.getElementById("passage-form-owner"),
  organization: document.getElementById("passage-organization"),
  note: document.getElementById("passage-note"),
  status: document.getElementById("passage-status"),
  error: document.getElementById("passage-form-error"),
  save: document.getElementById("passage-save"),
  cancel: document.getElementById("passage-cancel"),
  del: document.getElementById("passage-delete"),
};
const tagBoxes = [...form.querySelectorAll('input[name="tags"]')];
const tagOrder = new Map(data.tags.map((tag, index) => [tag.slug, index]));

// The body text exactly as stored: the server rendered nothing but the text itself.
const text = body.textContent;
const offsets = new OffsetMap(text);
let passages = new Map(data.passages.map((p) => [p.id, p]));

// Organization names and aliases -> id, from the datalist the server rendered.
const organizationIds = new Map();
const organizationNames = new Map();
for (const option of document.querySelectorAll("#organization-options option")) {
  const id = Number(option.dataset.id);
  organizationIds.set(option.value.trim().toLowerCase(), id);
  if (!organizationNames.has(id)) organizationNames.set(id, option.value);
}

let editing = null; // { mode: "create", start, end, exact } or { mode: "edit", passage }
let returnFocus = body;

function csrfToken() {
  return form.elements.csrfmiddlewaretoken.value;
}

function announce(message) {
  statusLine.textContent = message;
}

function sortedTags(slugs) {
  return [...slugs].sort((a, b) => (tagOrder.get(a) ?? 0) - (tagOrder.get(b) ?? 0));
}

// --- Highlights ------------------------------------------------------------------

/** Show the body and passages as the server has them now: its highlighted body (one
 * segmenter, the server's) and its passage data, everyone's writes included. */
async function refreshBody() {
  const response = await fetch(`${window.location.pathname}?part=body`, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const freshBody = fresh.querySelector("[data-article-body]");
  if (!freshBody || freshBody.textContent !== text) {
    // The text itself was revised meanwhile: every offset on this page is out of date.
    window.location.reload();
    return;
  }
  passages = new Map(readData(fresh).passages.map((p) => [p.id, p]));
  body.replaceChildren(...freshBody.childNodes);
  renderList();
}

function renderList() {
  const items = [...passages.values()].sort((a, b) => a.start - b.start || a.id - b.id);
  list.replaceChildren(
    ...items.map((p) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "passage-open link-button";
      button.dataset.passage = p.id;
      const quote = p.exact.length > 80 ? `${p.exact.slice(0, 79)}…` : p.exact;
      button.textContent = `“${quote.replace(/\s+/g, " ")}”`;
      const meta = document.createElement("span");
      meta.className = "passage-meta";
      const tagNames = sortedTags(p.tags).join(", ") || "no tags";
      meta.textContent = ` ${tagNames} · ${p.annotator}${p.status === "draft" ? " · draft" : ""}`;
      item.append(button, meta);
      return item;
    }),
  );
}

// --- The passage form ------------------------------------------------------------

function placeForm(rect) {
  form.hidden = false;
  const top = window.scrollY + (rect ? rect.bottom : body.getBoundingClientRect().top) + 8;
  const width = form.offsetWidth;
  const left = Math.max(8, Math.min(window.scrollX + (rect ? rect.left : 0), window.scrollX + document.documentElement.clientWidth - width - 8));
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
  for (const field of [els.organization, els.note, els.status]) field.disabled = false;
  els.organization.value = "";
  els.note.value = "";
  els.status.value = "published";
  els.error.textContent = "";
  els.owner.hidden = true;
  els.save.hidden = false;
  els.del.hidden = true;
}

function openCreate(span, exact, rect) {
  resetForm();
  editing = { mode: "create", ...span, exact };
  els.title.textContent = "New passage";
  els.quote.textContent = exact;
  returnFocus = body;
  placeForm(rect);
  (tagBoxes[0] || els.organization).focus();
}

function openEdit(passage, rect, from) {
  resetForm();
  editing = { mode: "edit", passage };
  els.title.textContent = passage.can_edit ? "Edit passage" : "Passage";
  els.quote.textContent = passage.exact;
  for (const box of tagBoxes) box.checked = passage.tags.includes(box.value);
  els.organization.value = passage.organization ? organizationNames.get(passage.organization) || "" : "";
  els.note.value = passage.note;
  els.status.value = passage.status;
  if (!passage.can_edit) {
    for (const box of tagBoxes) box.disabled = true;
    for (const field of [els.organization, els.note, els.status]) field.disabled = true;
    els.save.hidden = true;
    els.owner.hidden = false;
    els.owner.textContent = `Marked by ${passage.annotator}; only they or an editor can change it.`;
  }
  els.del.hidden = !passage.can_delete;
  returnFocus = from || body;
  placeForm(rect);
  (passage.can_edit ? tagBoxes[0] || els.note : els.cancel).focus();
}

function closeForm() {
  form.hidden = true;
  editing = null;
  if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  else body.focus();
}

function organizationValue() {
  const name = els.organization.value.trim();
  if (!name) return { id: null };
  const id = organizationIds.get(name.toLowerCase());
  return id ? { id } : { error: `No organization is called “${name}”. Pick one from the list.` };
}

// `version` is the passage's `modified` as last read: sent as If-Match, so a change made by
// someone else in the meantime is refused (409 stale_passage) instead of overwritten.
async function send(method, url, payload, version) {
  const headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
  if (version) headers["If-Match"] = `"${version}"`;
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (response.status === 204) return { ok: true };
  const json = await response.json();
  return response.ok ? { ok: true, json } : { ok: false, json };
}

function showError(json) {
  const error = (json && json.error) || { message: "The server did not answer." };
  els.error.textContent = error.message;
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
    status: els.status.value,
  };
  els.save.disabled = true;
  try {
    const result =
      editing.mode === "create"
        ? await send("POST", API, {
            article: data.article,
            start: editing.start,
            end: editing.end,
            exact: editing.exact,
            ...coding,
          })
        : await send("PATCH", `${API}${editing.passage.id}/`, coding, editing.passage.modified);
    if (!result.ok) {
      showError(result.json);
      return;
    }
    const done = editing.mode === "create" ? "Passage saved." : "Passage updated.";
    returnFocus = body;
    closeForm();
    window.getSelection().removeAllRanges();
    await refreshBody();
    announce(done);
  } finally {
    els.save.disabled = false;
  }
}

async function remove() {
  if (!editing || editing.mode !== "edit") return;
  // eslint-disable-next-line no-alert -- a native, accessible confirmation
  if (!window.confirm("Delete this passage? This cannot be undone.")) return;
  const result = await send(
    "DELETE",
    `${API}${editing.passage.id}/`,
    undefined,
    editing.passage.modified,
  );
  if (!result.ok) {
    showError(result.json);
    return;
  }
  returnFocus = body;
  closeForm();
  await refreshBody();
  announce("Passage deleted.");
}

// --- Selecting ---------------------------------------------------------------------

function selectionSpan() {
  const selection = window.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const span = rangeToCodePoints(body, range, offsets);
  if (!span) return null;
  // What the browser shows as selected (NBSP may read as a space); the server checks it
  // against the body and stores the body's own text. A selection that spills outside the
  // body is clipped to it, so its quote is taken from the body text.
  const inside = body.contains(range.startContainer) && body.contains(range.endContainer);
  const exact = inside
    ? selection.toString()
    : text.slice(offsets.toUnits(span.start), offsets.toUnits(span.end));
  return { span, exact, rect: range.getBoundingClientRect() };
}

function openFromSelection() {
  const found = selectionSpan();
  if (!found || !found.exact.trim()) return false;
  openCreate(found.span, found.exact, found.rect);
  return true;
}

body.addEventListener("mouseup", (event) => {
  // Let the browser finish updating the selection first.
  window.setTimeout(() => {
    if (openFromSelection()) return;
    const mark = event.target.closest("mark.hl");
    if (!mark) return;
    // The mark's passages, innermost first, as its hl-passage-<id> classes list them.
    const ids = [...mark.classList]
      .filter((name) => name.startsWith("hl-passage-"))
      .map((name) => Number(name.slice("hl-passage-".length)));
    // The shortest covering passage: longer ones stay reachable from the list beside.
    // The innermost covering passage: the server lists them innermost first. Longer ones
    // stay reachable from the list beside.
    const passage = ids.map((id) => passages.get(id)).find(Boolean);
    if (passage) openEdit(passage, mark.getBoundingClientRect(), body);
  }, 0);
});

const EXTEND = {
  ArrowLeft: "backward",
  ArrowRight: "forward",
  ArrowUp: "backward",
  ArrowDown: "forward",
};

body.addEventListener("keydown", (event) => {
  if (!(event.key in EXTEND)) return;
  // The body is not editable, so the browser has no caret in it: move one ourselves.
  const selection = window.getSelection();
  if (!selection.rangeCount || !body.contains(selection.anchorNode)) {
    selection.collapse(body, 0);
  }
  const granularity = event.key.startsWith("ArrowUp") || event.key.startsWith("ArrowDown")
    ? "line"
    : event.ctrlKey || event.altKey ? "word" : "character";
  if (!event.shiftKey && granularity === "line") return; // plain Up/Down scroll the page
  event.preventDefault();
  selection.modify(event.shiftKey ? "extend" : "move", EXTEND[event.key], granularity);
});

body.addEventListener("keyup", (event) => {
  if (event.key === "Shift") openFromSelection();
});

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-passage]");
  if (!button) return;
  const passage = passages.get(Number(button.dataset.passage));
  if (passage) openEdit(passage, button.getBoundingClientRect(), button);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
els.cancel.addEventListener("click", closeForm);
els.del.addEventListener("click", remove);

form.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type === "text") || target instanceof HTMLSelectElement;
  if (event.key === "Escape") {
    event.preventDefault();
    closeForm();
  } else if (event.key === "Enter" && !event.shiftKey && !(target instanceof HTMLButtonElement)) {
    // Enter saves from any field; Shift+Enter makes a new line in the note.
    event.preventDefault();
    if (!els.save.hidden) save();
  } else if (!typing && /^[1-9]$/.test(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
    const box = tagBoxes[Number(event.key) - 1];
    if (box && !box.disabled) {
      event.preventDefault();
      box.checked = !box.checked;
    }
  }
});

renderList();
