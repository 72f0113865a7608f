// Offsets between the browser and the server.
//
// The server counts code points in the stored body (Python str indices); the DOM counts
// UTF-16 code units. The article body element's textContent equals the stored body
// exactly (the server renders it as escaped text with <mark> segments, white-space:
// pre-wrap), so converting is a matter of counting surrogate pairs.

/** Maps code-point offsets to UTF-16 offsets and back for one text. */
export class OffsetMap {
  constructor(text) {
    this.text = text;
    // unitsAt[cp] = UTF-16 offset of code point cp; one entry past the end.
    const unitsAt = [];
    let units = 0;
    for (const char of text) {
      unitsAt.push(units);
      units += char.length;
    }
    unitsAt.push(units);
    this.unitsAt = unitsAt;
  }

  get codePointLength() {
    return this.unitsAt.length - 1;
  }

  /** UTF-16 offset of code point `cp`. */
  toUnits(cp) {
    return this.unitsAt[Math.max(0, Math.min(cp, this.codePointLength))];
  }

  /** Code-point offset of UTF-16 offset `units`; inside a surrogate pair rounds down
   * (for a start) or up (for an end, `roundUp`). */
  toCodePoints(units, roundUp = false) {
    let low = 0;
    let high = this.unitsAt.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.unitsAt[mid] <= units) low = mid;
      else high = mid - 1;
    }
    if (roundUp && this.unitsAt[low] < units) return low + 1;
    return low;
  }
}

/** UTF-16 offset within root.textContent of a DOM boundary point (node, offset). */
export function unitsBefore(root, node, offset) {
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(node, offset);
  return before.toString().length;
}

/** [start, end) of `range` in UTF-16 units of root.textContent, clipped to root; null
 * when the range does not touch root's text. */
export function rangeToUnits(root, range) {
  const whole = document.createRange();
  whole.selectNodeContents(root);
  if (
    range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0 ||
    range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0
  ) {
    return null;
  }
  const startInside = range.compareBoundaryPoints(Range.START_TO_START, whole) >= 0;
  const endInside = range.compareBoundaryPoints(Range.END_TO_END, whole) <= 0;
  const start = startInside ? unitsBefore(root, range.startContainer, range.startOffset) : 0;
  const end = endInside
    ? unitsBefore(root, range.endContainer, range.endOffset)
    : root.textContent.length;
  return start < end ? [start, end] : null;
}

/** The code-point span [start, end) a DOM range covers in root, or null. */
export function rangeToCodePoints(root, range, map) {
  const units = rangeToUnits(root, range);
  if (!units) return null;
  const start = map.toCodePoints(units[0]);
  const end = map.toCodePoints(units[1], true);
  return start < end ? { start, end } : null;
}

/** A DOM Range over UTF-16 offsets [start, end) of root's text. */
export function unitsToRange(root, start, end) {
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let startSet = false;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (!startSet && start <= seen + length) {
      range.setStart(node, start - seen);
      startSet = true;
    }
    if (startSet && end <= seen + length) {
      range.setEnd(node, end - seen);
      return range;
    }
    seen += length;
    last = node;
  }
  if (last) range.setEnd(last, last.data.length);
  return range;
}
