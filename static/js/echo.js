// The echoed words an "Also in" link leads to (`?echo=<start>-<end>#echo`), painted in the
// article text with the CSS Custom Highlight API (the DOM and its text stay untouched).
//
// The server gives the ranges as "paragraph:from:to" in UTF-16 units of that paragraph's
// text (the article body prints one <p> per non-blank line), `;`-separated.

const note = document.querySelector("[data-echo-ranges]");
const body = document.querySelector(".article-body");

/** The DOM position `units` UTF-16 units into `element`'s text. */
function locate(element, units) {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let left = units;
  let node = walker.nextNode();
  while (node) {
    if (left <= node.data.length) return [node, left];
    left -= node.data.length;
    node = walker.nextNode();
  }
  return null;
}

function paint() {
  if (!note || !body || typeof CSS === "undefined" || !("highlights" in CSS)) return;
  const paragraphs = body.querySelectorAll(":scope > p");
  const ranges = [];
  for (const part of note.dataset.echoRanges.split(";")) {
    const [index, from, to] = part.split(":").map(Number);
    const paragraph = paragraphs[index];
    if (!paragraph) continue;
    const start = locate(paragraph, from);
    const end = locate(paragraph, to);
    if (!start || !end) continue;
    const range = new Range();
    range.setStart(...start);
    range.setEnd(...end);
    ranges.push(range);
  }
  if (!ranges.length) return;
  CSS.highlights.set("echo", new Highlight(...ranges));
  ranges[0].startContainer.parentElement.scrollIntoView({ block: "center" });
}

paint();
