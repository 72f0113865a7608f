// Public article page: a click on any highlighted stretch of a passage leads to the
// passage in the list, as its first stretch's link does. Only that first stretch is a
// link, so a keyboard meets one Tab stop per passage, not one per stretch; the rest of a
// passage is plain marks, followed here (a selection being made is left alone).

const body = document.querySelector(".article-body");

function passageOf(mark) {
  const name = [...mark.classList].find((c) => c.startsWith("hl-passage-"));
  return name ? name.slice("hl-passage-".length) : null;
}

body?.addEventListener("click", (event) => {
  if (event.target.closest("a") || !document.getSelection().isCollapsed) return;
  const mark = event.target.closest("mark.hl");
  const passage = mark && passageOf(mark);
  const entry = passage && document.getElementById(`passage-${passage}`);
  if (!entry) return;
  window.location.hash = `passage-${passage}`;
  entry.focus();
});
