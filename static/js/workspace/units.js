// Units of text for the keyboard: sentences, paragraphs, words.
//
// Offsets here are UTF-16 units into the body text (what DOM ranges count); selection.js
// converts to code points at the edge. A paragraph is a run of non-blank lines' text
// between line breaks. A sentence ends at . ! ? (with closing quotes or brackets after it)
// followed by white space, or at a line break, except after an abbreviation ("U.S.",
// "Jan.", "Dr.", "e.g."), an initial ("J. Smith") or a number's dot followed by a
// lower-case word.

// Words whose trailing dot does not end a sentence (compared lower-case, without the dot).
const ABBREVIATIONS = new Set(
  (
    "mr mrs ms mx dr prof sr jr st mt ft rev hon gov sen rep gen col maj lt sgt capt cmdr adm " +
    "pres supt insp det atty jan feb mar apr jun jul aug sep sept oct nov dec " +
    "mon tue tues wed thu thur thurs fri sat sun inc corp ltd co bros llc plc dept univ assn " +
    "ave blvd rd hwy no nos vol vols pp fig figs approx est vs v cf al ca ch sec art para " +
    "min max misc e.g i.e a.m p.m etc"
  ).split(" "),
);
// A dotted acronym or initialism: U.S, U.K, e.g, a.m, D.C (dot stripped before testing).
const DOTTED = /(?:^|[^\p{L}])(?:\p{L}\.)+\p{L}$/u;
const CLOSERS = "\"'”’»)]}";
const SPACE = /[\s\u00a0]/u;

function wordBefore(text, dot) {
  let start = dot;
  while (start > 0 && !SPACE.test(text[start - 1]) && !"\"'“‘«([{".includes(text[start - 1])) start--;
  return text.slice(start, dot);
}

/** Whether the `.` at `dot` ends a sentence, given what follows the white space after it. */
function dotEndsSentence(text, dot, next) {
  const word = wordBefore(text, dot);
  if (!word) return true;
  const lower = word.toLowerCase();
  if (ABBREVIATIONS.has(lower)) return false;
  if (DOTTED.test(word)) return false;
  // A single capital letter is an initial ("J. Smith").
  if (/^\p{Lu}$/u.test(word)) return false;
  // "No. 5", "approx. 3": a lower-case or digit start after the dot continues the sentence.
  if (next !== undefined && /[\p{Ll}\d]/u.test(next)) return false;
  return true;
}

/** [start, end) of every sentence in `text`, trimmed of surrounding white space. */
export function sentences(text) {
  const result = [];
  let start = 0;
  const push = (from, to) => {
    while (from < to && SPACE.test(text[from])) from++;
    while (to > from && SPACE.test(text[to - 1])) to--;
    if (from < to) result.push([from, to]);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") {
      push(start, i);
      start = i + 1;
      continue;
    }
    if (ch !== "." && ch !== "!" && ch !== "?" && ch !== "…") continue;
    let end = i + 1;
    while (end < text.length && ".!?…".includes(text[end])) end++;
    while (end < text.length && CLOSERS.includes(text[end])) end++;
    if (end < text.length && !SPACE.test(text[end])) continue; // "3.5", "U.S.-based"
    let next = end;
    while (next < text.length && SPACE.test(text[next]) && text[next] !== "\n") next++;
    // A lower-case word next continues the sentence ("“Really?” she asked.").
    if (next < text.length && text[next] !== "\n" && /\p{Ll}/u.test(text[next])) continue;
    if (ch === "." && end === i + 1 && !dotEndsSentence(text, i, text[next])) continue;
    push(start, end);
    start = end;
    i = end - 1;
  }
  push(start, text.length);
  return result;
}

/** [start, end) of every paragraph (non-blank line) in `text`, trimmed. */
export function paragraphs(text) {
  const result = [];
  const line = /[^\n]+/g;
  for (let match = line.exec(text); match; match = line.exec(text)) {
    let from = match.index;
    let to = from + match[0].length;
    while (from < to && SPACE.test(text[from])) from++;
    while (to > from && SPACE.test(text[to - 1])) to--;
    if (from < to) result.push([from, to]);
  }
  return result;
}

/** [start, end) of every word (Intl.Segmenter's word-like segments). */
export function words(text) {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
  const result = [];
  for (const { segment, index, isWordLike } of segmenter.segment(text)) {
    if (isWordLike) result.push([index, index + segment.length]);
  }
  return result;
}

/** The unit containing `offset` (or the next one after it), as an index into `units`. */
export function unitAt(units, offset) {
  let low = 0;
  let high = units.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (units[mid][1] <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Where a caret at `offset` goes when moved by one unit.
 *  direction "forward": to the start of the next unit (moving) or the end of the current
 *  or next unit (extending); "backward": to the start of the current unit, or of the
 *  previous one when already there. */
export function step(units, offset, direction, extending) {
  if (!units.length) return offset;
  if (direction === "forward") {
    if (extending) {
      const unit = units.find(([, end]) => end > offset);
      return unit ? unit[1] : offset;
    }
    const unit = units.find(([start]) => start > offset);
    return unit ? unit[0] : offset;
  }
  for (let i = units.length - 1; i >= 0; i--) {
    if (units[i][0] < offset) return units[i][0];
  }
  return units[0][0];
}
