// Find in article: a search box that highlights every match in the article text and steps
// through them (Enter / Next, Shift+Enter / Previous), on the workspace and the public page.
//
// Matching ignores case, accents and the kind of white space (a non-breaking space matches
// a space, a line break too), so it runs on a folded copy of the text built one code point
// at a time with a map back to the original UTF-16 offsets: a match never starts or ends
// inside a surrogate pair (emoji) and covers a letter's combining marks. Matches are painted
// with the CSS Custom Highlight API, so the article's DOM and text are left untouched (the
// workspace's offsets depend on its textContent). Escape in the box sends `find:leave`
// ({start, end} in UTF-16 units of the root's text) to the root; a page that handles it
// (the workspace puts its caret there) calls preventDefault(), otherwise Escape clears.

const HIGHLIGHTS = typeof CSS !== "undefined" && "highlights" in CSS;
const SPACE = /^\s$/u;

/** The folded text and, for each of its UTF-16 units, the original [start, end). */
export function fold(text) {
  let folded = "";
  const starts = [];
  const ends = [];
  let units = 0;
  let lastSpace = false;
  for (const char of text) {
    const at = units;
    units += char.length;
    let out;
    if (SPACE.test(char)) {
      // Runs of white space read as one space.
      if (lastSpace) {
        ends[ends.length - 1] = units;
        continue;
      }
      out = " ";
      lastSpace = true;
    } else {
      out = char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
      lastSpace = false;
      if (!out) {
        // A combining mark: part of the letter before it.
        if (ends.length) ends[ends.length - 1] = units;
        continue;
      }
    }
    for (let i = 0; i < out.length; i++) {
      starts.push(at);
      ends.push(units);
    }
    folded += out;
  }
  return { folded, starts, ends };
}

/** Matches of `query` in `text` as [start, end) UTF-16 offsets of the original text. */
export function findAll(text, query) {
  const needle = fold(query.trim()).folded;
  if (!needle) return [];
  const { folded, starts, ends } = fold(text);
  const found = [];
  for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + needle.length)) {
    found.push([starts[at], ends[at + needle.length - 1]]);
  }
  return found;
}

function rangeOf(root, start, end) {
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let started = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (!started && start < seen + length) {
      range.setStart(node, start - seen);
      started = true;
    }
    if (started && end <= seen + length) {
      range.setEnd(node, end - seen);
      return range;
    }
    seen += length;
  }
  return range;
}

function initFindBar(bar) {
  const root = document.querySelector(bar.dataset.findRoot);
  if (!root) return;
  const input = bar.querySelector("input[type=search]");
  const count = bar.querySelector("output");
  let matches = [];
  let ranges = [];
  let current = -1;
  let stale = true;

  const paint = () => {
    if (!HIGHLIGHTS) return;
    if (!ranges.length) {
      CSS.highlights.delete("find-match");
      CSS.highlights.delete("find-current");
      return;
    }
    CSS.highlights.set("find-match", new Highlight(...ranges));
    if (current >= 0) CSS.highlights.set("find-current", new Highlight(ranges[current]));
  };

  const search = () => {
    matches = findAll(root.textContent, input.value);
    ranges = matches.map(([start, end]) => rangeOf(root, start, end));
    if (current >= matches.length) current = matches.length - 1;
    stale = false;
  };

  const report = () => {
    if (!input.value.trim()) count.textContent = "";
    else if (!matches.length) count.textContent = "No match";
    else if (current < 0) count.textContent = `${matches.length} match${matches.length === 1 ? "" : "es"}`;
    else count.textContent = `${current + 1} of ${matches.length}`;
    bar.dataset.matches = String(matches.length);
  };

  const reveal = () => {
    const range = ranges[current];
    if (!range) return;
    if (!HIGHLIGHTS) {
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    const rect = range.getBoundingClientRect();
    if (rect.top < 80 || rect.bottom > window.innerHeight - 40) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "instant" });
    }
  };

  const go = (direction) => {
    if (stale) search();
    if (!matches.length) {
      report();
      paint();
      return;
    }
    current = current < 0 && direction < 0 ? matches.length - 1 : (current + direction + matches.length) % matches.length;
    paint();
    report();
    reveal();
  };

  input.addEventListener("input", () => {
    current = -1;
    search();
    if (matches.length) go(1);
    else {
      paint();
      report();
    }
  });
  bar.addEventListener("submit", (event) => {
    event.preventDefault();
    go(1);
  });
  bar.querySelector('[data-find-step="-1"]').addEventListener("click", () => go(-1));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      go(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      const match = matches[current];
      const leave = new CustomEvent("find:leave", {
        cancelable: true,
        detail: match ? { start: match[0], end: match[1] } : null,
      });
      if (root.dispatchEvent(leave)) {
        input.value = "";
        current = -1;
        search();
        paint();
        report();
      }
    }
  });
  // The workspace swaps the body for the server's after a write: find again when it does.
  new MutationObserver(() => {
    stale = true;
    if (input.value.trim()) {
      search();
      paint();
      report();
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
}

for (const bar of document.querySelectorAll("[data-find-bar]")) initFindBar(bar);
