// The browser selection in the article body, in the server's units (code points).
//
// Conversion happens here and only here, through ../offsets.js: the DOM counts UTF-16 code
// units, the server code points of the stored body.

import { rangeToCodePoints, unitsToRange } from "../offsets.js";
import { workspace } from "./state.js";

/** The selected span { span: {start, end}, exact, rect } in code points, or null. */
export function selectionSpan() {
  const { body, text, offsets } = workspace;
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

/** A DOM range over code points [start, end) of the body. */
export function rangeOf(start, end) {
  const { body, offsets } = workspace;
  return unitsToRange(body, offsets.toUnits(start), offsets.toUnits(end));
}

/** Select code points [start, end) of the body; `anchorAtEnd` puts the moving end first. */
export function selectCodePoints(start, end) {
  const range = rangeOf(start, end);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return range;
}
