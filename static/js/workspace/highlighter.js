// The highlights: drawn by the server, never here.
//
// The server renders the body with the public page's highlighter (publishing/highlighting.py)
// so a passage has one colour everywhere; after every write this module fetches that body
// again (`?part=body`) and swaps it in, with the passage data that came with it.

import { readData, workspace } from "./state.js";

/** Show the body and passages as the server has them now, everyone's writes included.
 * Returns false when the body could not be fetched. */
export async function refreshBody() {
  let response;
  try {
    response = await fetch(`${window.location.pathname}?part=body`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
  } catch {
    return false;
  }
  if (!response.ok) return false;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const freshBody = fresh.querySelector("[data-article-body]");
  if (!freshBody || freshBody.textContent !== workspace.text) {
    // The text itself was revised meanwhile: every offset on this page is out of date.
    window.location.reload();
    return false;
  }
  workspace.body.replaceChildren(...freshBody.childNodes);
  markEdges();
  workspace.setPassages(readData(fresh).passages);
  return true;
}

/** Class the first and last mark of every passage (`hl-starts`, `hl-ends`), so two
 * neighbouring passages with the same tag, hence the same colour, show where one ends and
 * the next begins (the stylesheet draws a notch there). Classes only: the text is untouched. */
export function markEdges() {
  const first = new Map();
  const last = new Map();
  for (const mark of workspace.body.querySelectorAll("mark.hl")) {
    for (const name of mark.classList) {
      if (!name.startsWith("hl-passage-")) continue;
      if (!first.has(name)) first.set(name, mark);
      last.set(name, mark);
    }
  }
  for (const mark of first.values()) mark.classList.add("hl-starts");
  for (const mark of last.values()) mark.classList.add("hl-ends");
}

/** The passages a highlight <mark> belongs to, innermost first (its hl-passage-<id>
 * classes, in the order the server lists them). */
export function passagesOfMark(mark) {
  return [...mark.classList]
    .filter((name) => name.startsWith("hl-passage-"))
    .map((name) => workspace.passages.get(Number(name.slice("hl-passage-".length))))
    .filter(Boolean);
}

/** The marks that draw passage `id`. */
export function marksOf(id) {
  return [...workspace.body.querySelectorAll(`mark.hl-passage-${id}`)];
}
