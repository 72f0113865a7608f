// Orphan queue: selecting text in the current article body fills the re-attach form with
// code-point offsets (what the server stores) and the selected text.
import { OffsetMap, rangeToCodePoints } from "./offsets.js";

const body = document.querySelector("[data-orphan-body]");
const form = document.querySelector("[data-reattach-form]");

if (body && form) {
  // The body element's textContent is the stored body exactly (escaped text, one <mark>).
  const text = body.textContent;
  const map = new OffsetMap(text);
  const codePoints = Array.from(text);
  const status = form.querySelector("#reattach-status");

  const fill = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const span = rangeToCodePoints(body, selection.getRangeAt(0), map);
    if (!span) return;
    const exact = codePoints.slice(span.start, span.end).join("");
    form.elements["reattach-start"].value = span.start;
    form.elements["reattach-end"].value = span.end;
    form.elements["reattach-exact"].value = exact;
    status.textContent = `Selected ${span.end - span.start} characters (${span.start}–${span.end}). Press Re-attach to save.`;
  };

  body.addEventListener("mouseup", fill);
  body.addEventListener("keyup", fill);
}
