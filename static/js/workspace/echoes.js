// "Code the echoes too": the echoes of the selected passage (the one last opened in the
// form or saved), each with a checkbox, and a button that codes the ticked ones like it
// (same tags, organization and status) in their own articles, through
// POST /api/annotations/<id>/echoes/code/ (echoes/api.py). One job; it only listens to
// the workspace's events (state.js) and owns its own panel (echoes/workspace_panel.html).

import { API, send } from "./api.js";
import { workspace } from "./state.js";

const panel = document.getElementById("echoes-panel");
const list = document.getElementById("echoes-list");
const status = document.getElementById("echoes-status");
const button = document.getElementById("echoes-code");
const heading = document.getElementById("echoes-title");

let selected = null; // the passage whose echoes are shown
let shown = []; // its echoes, as the API gave them

function item(echo, index) {
  const li = document.createElement("li");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = `echo-${index}`;
  box.value = String(index);
  const label = document.createElement("label");
  label.htmlFor = box.id;
  const when = echo.published ? ` (${echo.published})` : "";
  label.textContent = `${echo.outlet}${when}: “${echo.exact}” — ${Math.round(echo.score * 100)}% of the passage`;
  li.append(box, " ", label);
  return li;
}

function render(message) {
  list.replaceChildren(...shown.map(item));
  button.hidden = !shown.length;
  status.textContent = message ?? (shown.length ? `${shown.length} echo${shown.length === 1 ? "" : "es"} in other articles.` : "No echoes: these words ran nowhere else.");
}

async function load(passage, message) {
  selected = passage;
  panel.hidden = false;
  heading.textContent = "Echoes of the selected passage";
  status.textContent = "Looking for echoes…";
  const result = await send("GET", `${API}${passage.id}/echoes/`);
  if (selected !== passage) return; // another passage was selected meanwhile
  if (!result.ok) {
    shown = [];
    render(result.failure.message);
    return;
  }
  shown = result.json.echoes;
  render(message);
}

button.addEventListener("click", async () => {
  const chosen = [...list.querySelectorAll("input:checked")].map((box) => shown[Number(box.value)]);
  if (!selected || !chosen.length) {
    status.textContent = "Tick the echoes to code first.";
    return;
  }
  button.disabled = true;
  const payload = { echoes: chosen.map(({ article, start, end }) => ({ article, start, end })) };
  const result = await send("POST", `${API}${selected.id}/echoes/code/`, payload);
  button.disabled = false;
  if (!result.ok) {
    status.textContent = result.failure.message;
    return;
  }
  const made = result.json.passages.length;
  const skipped = chosen.length - made;
  let message = `Coded ${made} echo${made === 1 ? "" : "es"} as passages.`;
  if (skipped) message += ` ${skipped} you had coded already.`;
  for (const box of list.querySelectorAll("input:checked")) box.checked = false;
  status.textContent = message;
});

workspace.on("form-open", ({ mode, passage }) => {
  if (mode === "edit" && passage) load(passage);
});
workspace.on("saved", ({ passage }) => load(passage));
workspace.on("deleted", ({ passage }) => {
  if (selected && passage && selected.id === passage.id) {
    selected = null;
    panel.hidden = true;
  }
});
