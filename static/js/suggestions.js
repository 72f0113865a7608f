// Suggestions in the workspace: the quotations, statistics and organization mentions the
// server finds by rule (GET /api/articles/<id>/suggestions/), drawn as faint outlines in the
// text (CSS Custom Highlights, so the text and its marks are untouched).
//
// Keys, with the article focused: g / Shift+G next / previous suggestion (the caret goes
// to it), a accepts it (the passage form opens pre-filled with its offsets, tag and
// organization, all editable; Save creates the passage through the normal create, which
// counts the acceptance), x dismisses it (remembered for this coder and article). The
// buttons beside the passages do the same. Offsets from the server are code points;
// ./workspace/selection.js converts them to the DOM's UTF-16 units.
//
// Loaded after workspace.js, as its hook describes: same state.js instance, events only.

import { send } from "./workspace/api.js";
import { setCaret } from "./workspace/keyboard.js";
import { isOpen, openCreate } from "./workspace/passage-form.js";
import { rangeOf } from "./workspace/selection.js";
import { workspace } from "./workspace/state.js";

const HIGHLIGHTS = typeof CSS !== "undefined" && "highlights" in CSS;
const LABELS = { quote: "Quotation", statistic: "Statistic", mention: "Organization mention" };

const panel = document.getElementById("suggestions");
const summary = document.getElementById("suggestion-summary");
const status = document.getElementById("suggestion-status");
const buttons = {
  next: document.getElementById("suggestion-next"),
  previous: document.getElementById("suggestion-previous"),
  accept: document.getElementById("suggestion-accept"),
  dismiss: document.getElementById("suggestion-dismiss"),
};

let suggestions = [];
let current = -1;

const base = () => `/api/articles/${workspace.data.article}/suggestions/`;
const short = (text) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

function organizationName(id) {
  return id ? workspace.organizationNames.get(id) || null : null;
}

function paint() {
  if (!HIGHLIGHTS) return;
  const all = new Highlight();
  for (const s of suggestions) all.add(rangeOf(s.start, s.end));
  CSS.highlights.set("ws-suggestion", all);
  const chosen = suggestions[current];
  if (chosen) CSS.highlights.set("ws-suggestion-current", new Highlight(rangeOf(chosen.start, chosen.end)));
  else CSS.highlights.delete("ws-suggestion-current");
}

function describe(say = "") {
  const count = suggestions.length;
  summary.textContent = count
    ? `${count} suggestion${count === 1 ? "" : "s"} left.`
    : "No suggestions left on this article.";
  const chosen = suggestions[current];
  for (const button of [buttons.accept, buttons.dismiss]) button.disabled = !chosen;
  for (const button of [buttons.next, buttons.previous]) button.disabled = !count;
  if (!chosen) {
    status.textContent = say;
    return;
  }
  const by = organizationName(chosen.organization);
  const what = `${LABELS[chosen.kind]}${by ? `, ${by}` : ""}`;
  status.textContent =
    `${say ? `${say} ` : ""}Suggestion ${current + 1} of ${count}: ${what}: “${short(chosen.exact)}”. ` +
    "a accepts, x dismisses.";
  panel.dataset.current = `${chosen.kind}:${chosen.start}-${chosen.end}`;
}

async function load() {
  const result = await send("GET", base());
  if (!result.ok) {
    status.textContent = `Suggestions could not be loaded: ${result.failure.message}`;
    return;
  }
  const before = suggestions[current];
  suggestions = result.json.suggestions;
  // Stay where the coder was: the first suggestion from the one chosen before on.
  current = before ? suggestions.findIndex((s) => s.start >= before.start) : -1;
  if (before && current === -1 && suggestions.length) current = 0;
  panel.hidden = false;
  paint();
  describe();
}

function go(delta) {
  if (!suggestions.length) {
    describe("No suggestions left.");
    return;
  }
  current = current === -1 ? (delta > 0 ? 0 : suggestions.length - 1) : (current + delta + suggestions.length) % suggestions.length;
  const chosen = suggestions[current];
  setCaret(workspace.offsets.toUnits(chosen.start));
  paint();
  describe();
}

function accept() {
  const chosen = suggestions[current];
  if (!chosen || isOpen()) return;
  const tag = workspace.data.tags.find((t) => t.name === chosen.tag);
  openCreate({ start: chosen.start, end: chosen.end }, chosen.exact, {
    tags: tag ? [tag.slug] : [],
    organization: chosen.organization,
    suggestion: chosen.kind,
  });
}

async function dismiss() {
  const chosen = suggestions[current];
  if (!chosen) return;
  const { kind, start, end, exact } = chosen;
  const result = await send("POST", `${base()}dismiss/`, { kind, start, end, exact });
  if (!result.ok) {
    describe(`Dismissing failed: ${result.failure.message}`);
    return;
  }
  suggestions = suggestions.filter((s) => s !== chosen);
  if (current >= suggestions.length) current = suggestions.length - 1;
  paint();
  describe("Dismissed.");
}

workspace.body.addEventListener("keydown", (event) => {
  if (event.target !== workspace.body || event.defaultPrevented) return;
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "g") go(1);
  else if (event.key === "G") go(-1);
  else if (event.key === "a") accept();
  else if (event.key === "x") dismiss();
  else return;
  event.preventDefault();
});
buttons.next.addEventListener("click", () => go(1));
buttons.previous.addEventListener("click", () => go(-1));
buttons.accept.addEventListener("click", accept);
buttons.dismiss.addEventListener("click", dismiss);

// The body is swapped for the server's after a write: draw again on the new nodes, and ask
// again after writes (an accepted suggestion is coded now, an undone one is back).
workspace.on("passages", paint);
for (const name of ["saved", "deleted", "undone"]) workspace.on(name, load);

load();
