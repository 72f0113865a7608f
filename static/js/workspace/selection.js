// The browser selection in the article body, in the server's units (code points).
//
// Conversion happens here and only here, through ../offsets.js: the DOM counts UTF-16 code
// units, the server code points of the stored body.

import { rangeToCodePoints, unitsBefore, unitsToRange } from "../offsets.js";
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

/** A DOM range over UTF-16 offsets [start, end) of the body. */
export function rangeOfUnits(start, end) {
  return unitsToRange(workspace.body, start, end);
}

/** Select code points [start, end) of the body. */
export function selectCodePoints(start, end) {
  const range = rangeOf(start, end);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return range;
}

/** The DOM point (text node, offset) at UTF-16 offset `units` of the body's text. At a
 * boundary between two text nodes, the later node (`preferNext`) or the earlier one. */
export function pointAt(units, preferNext = true) {
  const body = workspace.body;
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (units < seen + length || (units === seen + length && !preferNext)) {
      return { node, offset: units - seen };
    }
    seen += length;
    last = node;
  }
  return last ? { node: last, offset: last.data.length } : { node: body, offset: 0 };
}

/** The selection as UTF-16 offsets { anchor, focus } of the body's text, or null when it is
 * not (entirely) in the body. */
export function selectionUnits() {
  const { body } = workspace;
  const selection = window.getSelection();
  if (!selection.rangeCount) return null;
  if (!body.contains(selection.anchorNode) || !body.contains(selection.focusNode)) return null;
  return {
    anchor: unitsBefore(body, selection.anchorNode, selection.anchorOffset),
    focus: unitsBefore(body, selection.focusNode, selection.focusOffset),
  };
}

/** Select from `anchor` to `focus` (UTF-16 offsets; focus may come first). */
export function setSelectionUnits(anchor, focus) {
  const a = pointAt(anchor, anchor <= focus);
  const f = pointAt(focus, focus < anchor);
  window.getSelection().setBaseAndExtent(a.node, a.offset, f.node, f.offset);
}
