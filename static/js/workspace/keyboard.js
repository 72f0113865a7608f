// Keyboard control of the article body: move a caret, extend a selection, open the form.

import { workspace } from "./state.js";

const EXTEND = {
  ArrowLeft: "backward",
  ArrowRight: "forward",
  ArrowUp: "backward",
  ArrowDown: "forward",
};

/** `openFromSelection()` opens the form for the current selection (true if it did). */
export function initKeyboard({ openFromSelection }) {
  const body = workspace.body;
  body.addEventListener("keydown", (event) => {
    if (!(event.key in EXTEND)) return;
    // The body is not editable, so the browser has no caret in it: move one ourselves.
    const selection = window.getSelection();
    if (!selection.rangeCount || !body.contains(selection.anchorNode)) {
      selection.collapse(body, 0);
    }
    const granularity =
      event.key === "ArrowUp" || event.key === "ArrowDown"
        ? "line"
        : event.ctrlKey || event.altKey
          ? "word"
          : "character";
    if (!event.shiftKey && granularity === "line") return; // plain Up/Down scroll the page
    event.preventDefault();
    selection.modify(event.shiftKey ? "extend" : "move", EXTEND[event.key], granularity);
  });
  body.addEventListener("keyup", (event) => {
    if (event.key === "Shift") openFromSelection();
  });
}
