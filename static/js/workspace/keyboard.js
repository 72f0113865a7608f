// Keyboard coding in the article body: a caret moved by character, word, sentence and
// paragraph, a selection started at the caret and extended by the same moves, jumps between
// passages, and explicit keys to open the form (Enter) and list the shortcuts (?).
//
// The body is not editable, so the browser draws no caret in it: this module keeps the
// caret (and the selection's anchor) as UTF-16 offsets of the body text, draws the caret
// itself, paints the sentence it is in with the CSS Custom Highlight API, and mirrors
// everything into the DOM selection, which the rest of the workspace reads. Releasing Shift
// does nothing: a selection is only ever coded by pressing Enter.

import { pointAt, rangeOfUnits, selectionUnits, setSelectionUnits } from "./selection.js";
import { workspace } from "./state.js";
import { paragraphs, sentences, step, unitAt, words } from "./units.js";

let body;
let caretMark;
let caretStatus;
let units;
let caret = 0;
let anchor = null; // null: no selection; otherwise the fixed end of it

const HIGHLIGHTS = typeof CSS !== "undefined" && "highlights" in CSS;

function collapse(at) {
  caret = Math.max(0, Math.min(at, workspace.text.length));
  anchor = null;
}

/** Read the caret and anchor back from the DOM selection (the mouse may have moved them). */
function syncFromDom() {
  const current = selectionUnits();
  if (!current) return;
  if (current.anchor === current.focus) {
    // A selection just started with v (anchor at the caret) looks collapsed: keep it.
    if (!(anchor !== null && anchor === caret && caret === current.focus)) anchor = null;
    caret = current.focus;
    return;
  }
  anchor = current.anchor;
  caret = current.focus;
}

function render({ scroll = "nearest", say = null } = {}) {
  if (anchor === null) {
    const p = pointAt(caret);
    window.getSelection().collapse(p.node, p.offset);
  } else {
    setSelectionUnits(anchor, caret);
  }
  drawCaret(scroll);
  paintSentence();
  if (say) caretStatus.textContent = say;
}

function caretRect() {
  const range = document.createRange();
  const p = pointAt(caret, caret === 0 || anchor === null || caret < anchor);
  range.setStart(p.node, p.offset);
  range.setEnd(p.node, p.offset);
  let rect = range.getClientRects()[0] || range.getBoundingClientRect();
  if (!rect || (rect.width === 0 && rect.height === 0 && rect.top === 0)) {
    rect = body.getBoundingClientRect();
  }
  return rect;
}

function drawCaret(scroll) {
  const rect = caretRect();
  caretMark.hidden = document.activeElement !== body;
  // CSSOM, not a style attribute: allowed by the Content Security Policy.
  caretMark.style.top = `${window.scrollY + rect.top}px`;
  caretMark.style.left = `${window.scrollX + rect.left - 1}px`;
  caretMark.style.height = `${Math.max(rect.height, 16)}px`;
  if (scroll) {
    const margin = scroll === "center" ? window.innerHeight / 3 : 24;
    if (rect.top < margin || rect.bottom > window.innerHeight - margin) {
      const target = window.scrollY + rect.top - (scroll === "center" ? window.innerHeight / 3 : margin);
      window.scrollTo({ top: Math.max(0, target), behavior: "instant" });
      const again = caretRect();
      caretMark.style.top = `${window.scrollY + again.top}px`;
      caretMark.style.left = `${window.scrollX + again.left - 1}px`;
    }
  }
}

function paintSentence() {
  if (!HIGHLIGHTS) return;
  if (anchor !== null || document.activeElement !== body) {
    CSS.highlights.delete("ws-sentence");
    return;
  }
  const [start, end] = units.sentences[unitAt(units.sentences, caret)] || [0, 0];
  CSS.highlights.set("ws-sentence", new Highlight(rangeOfUnits(start, end)));
}

function preview(start, end) {
  const text = workspace.text.slice(start, end).replace(/\s+/g, " ");
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function moveBy(list, direction, name) {
  const extending = anchor !== null;
  caret = step(list, caret, direction, extending);
  const index = unitAt(list, caret - (extending && direction === "forward" ? 1 : 0));
  const [start, end] = list[index] || [caret, caret];
  render({
    scroll: "center",
    say: extending
      ? `Selected to ${name} ${index + 1} of ${list.length}.`
      : `${name[0].toUpperCase()}${name.slice(1)} ${index + 1} of ${list.length}: ${preview(start, end)}`,
  });
}

function selectUnit(list, name) {
  if (!list.length) return;
  const index = unitAt(list, caret);
  const [start, end] = list[index];
  anchor = start;
  caret = end;
  render({ scroll: "center", say: `Selected ${name} ${index + 1}: ${preview(start, end)} Press Enter to code it.` });
}

function passagesAt(offset) {
  const cp = workspace.offsets.toCodePoints(offset);
  return workspace
    .ordered()
    .filter((p) => p.start <= cp && cp < p.end)
    .sort((a, b) => a.end - a.start - (b.end - b.start));
}

function jumpPassage(direction) {
  const list = workspace.ordered();
  if (!list.length) {
    caretStatus.textContent = "No passages yet.";
    return;
  }
  const here = workspace.offsets.toCodePoints(caret);
  const found =
    direction === "forward"
      ? list.find((p) => p.start > here) || list[0]
      : [...list].reverse().find((p) => p.start < here) || list[list.length - 1];
  collapse(workspace.offsets.toUnits(found.start));
  const index = list.indexOf(found);
  const tags = workspace.sortedTags(found.tags).join(", ") || "no tags";
  render({
    scroll: "center",
    say: `Passage ${index + 1} of ${list.length}: ${tags}. “${preview(workspace.offsets.toUnits(found.start), workspace.offsets.toUnits(found.end))}” Press Enter to open it.`,
  });
}

/** Put the caret at UTF-16 offset `at` of the body (from find, from a click elsewhere). */
export function setCaret(at, { select = null } = {}) {
  collapse(at);
  if (select !== null) {
    anchor = at;
    caret = select;
  }
  body.focus({ preventScroll: true });
  render({ scroll: "center" });
}

const isTyping = (target) =>
  target instanceof HTMLInputElement ||
  target instanceof HTMLTextAreaElement ||
  target instanceof HTMLSelectElement ||
  (target instanceof HTMLElement && target.isContentEditable);

/** `openFromSelection()` opens the form for the current selection (true if it did);
 * `openPassage(passage)` opens an existing one; `showShortcuts()` the list of keys;
 * `focusFind()` the find box. */
export function initKeyboard({ openFromSelection, openPassage, showShortcuts, focusFind }) {
  body = workspace.body;
  caretStatus = document.getElementById("workspace-caret");
  caretMark = document.createElement("span");
  caretMark.className = "ws-caret";
  caretMark.setAttribute("aria-hidden", "true");
  caretMark.hidden = true;
  document.body.append(caretMark);
  units = {
    sentences: sentences(workspace.text),
    paragraphs: paragraphs(workspace.text),
    words: words(workspace.text),
  };
  workspace.units = units;

  body.addEventListener("focus", () => {
    syncFromDom();
    drawCaret(null);
    paintSentence();
  });
  body.addEventListener("blur", () => {
    caretMark.hidden = true;
    if (HIGHLIGHTS) CSS.highlights.delete("ws-sentence");
  });
  body.addEventListener("mouseup", () => window.setTimeout(() => {
    syncFromDom();
    drawCaret(null);
    paintSentence();
  }, 0));
  // The body is swapped for the server's after a write: the caret stays at its offset.
  workspace.on("passages", () => {
    if (document.activeElement === body) render({ scroll: null });
  });
  workspace.on("form-close", ({ saved }) => {
    if (saved) anchor = null;
    if (document.activeElement === body) render({ scroll: null });
  });

  body.addEventListener("keydown", (event) => {
    if (event.target !== body || event.metaKey) return;
    syncFromDom();
    const { key, shiftKey, ctrlKey, altKey } = event;
    let handled = true;
    if (key === "ArrowRight" || key === "ArrowLeft") {
      const direction = key === "ArrowRight" ? "forward" : "backward";
      if (shiftKey && anchor === null) anchor = caret;
      if (!shiftKey && anchor !== null && !ctrlKey) {
        // Like a text field: an unshifted arrow drops the selection at that end.
        const [from, to] = [Math.min(anchor, caret), Math.max(anchor, caret)];
        collapse(direction === "forward" ? to : from);
      } else if (ctrlKey || altKey) {
        caret = step(units.words, caret, direction, direction === "forward");
      } else {
        const cp = workspace.offsets.toCodePoints(caret);
        caret = workspace.offsets.toUnits(cp + (direction === "forward" ? 1 : -1));
      }
      render();
    } else if ((key === "ArrowDown" || key === "ArrowUp") && shiftKey) {
      if (anchor === null) anchor = caret;
      render({ scroll: null });
      window.getSelection().modify("extend", key === "ArrowDown" ? "forward" : "backward", "line");
      const current = selectionUnits();
      if (current) caret = current.focus;
      render();
    } else if (key === "]" || key === ")") {
      moveBy(units.sentences, "forward", "sentence");
    } else if (key === "[" || key === "(") {
      moveBy(units.sentences, "backward", "sentence");
    } else if (key === "}") {
      moveBy(units.paragraphs, "forward", "paragraph");
    } else if (key === "{") {
      moveBy(units.paragraphs, "backward", "paragraph");
    } else if ((key === "v" || key === " ") && !ctrlKey && !altKey) {
      if (anchor === null) {
        anchor = caret;
        render({ say: "Selection started at the caret: move to extend it, Enter to code it." });
      } else {
        collapse(caret);
        render({ say: "Selection dropped." });
      }
    } else if (key === "s" && !ctrlKey && !altKey) {
      selectUnit(units.sentences, "sentence");
    } else if (key === "S" && !ctrlKey && !altKey) {
      selectUnit(units.paragraphs, "paragraph");
    } else if ((key === "n" || key === "p") && !ctrlKey && !altKey) {
      jumpPassage(key === "n" ? "forward" : "backward");
    } else if (key === "Enter") {
      if (anchor !== null && anchor !== caret) {
        handled = openFromSelection();
      } else {
        const [passage] = passagesAt(caret);
        if (passage) openPassage(passage);
        else caretStatus.textContent = "Nothing selected: press s to select the sentence, or v to start a selection.";
      }
    } else if (key === "Escape" && anchor !== null) {
      collapse(caret);
      render({ say: "Selection dropped." });
    } else if (key === "Home" && ctrlKey) {
      collapse(0);
      render({ scroll: "center" });
    } else if (key === "End" && ctrlKey) {
      collapse(workspace.text.length);
      render({ scroll: "center" });
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Page-wide keys, outside text fields and dialogs.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || isTyping(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "?") {
      event.preventDefault();
      showShortcuts();
    } else if (event.key === "/") {
      event.preventDefault();
      focusFind();
    } else if (event.key === "u") {
      workspace.emit("undo-request");
    }
  });
}
