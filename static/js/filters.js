// The public listings' filter form: submit only the fields that are set, so a filtered
// page has a short URL to cite (`?tag=statistic`, not `?q=&published_after=&...`), and
// show the filters open on wide screens (narrow ones keep them folded, site.css).
// Without JavaScript the form still works; the server's links drop empty values too.

const WIDE = window.matchMedia("(min-width: 52rem)");

function leaveOutEmpty(form) {
  const tagTicked = form.querySelector('input[name="tag"]:checked') !== null;
  for (const field of form.elements) {
    if (!field.name || field.disabled) continue;
    const empty =
      (field.type === "radio" && field.name === "tag_match" && (field.value === "any" || !tagTicked)) ||
      (field.type !== "checkbox" && field.type !== "radio" && field.value === "");
    if (empty) field.disabled = true;
  }
}

for (const form of document.querySelectorAll("form[data-filters]")) {
  form.addEventListener("submit", () => leaveOutEmpty(form));
  // Going back to the page restores it from the cache with the fields disabled.
  window.addEventListener("pageshow", () => {
    for (const field of form.elements) field.disabled = false;
  });
  const details = form.closest("details");
  if (details) {
    const widen = () => {
      if (WIDE.matches) details.open = true;
    };
    widen();
    WIDE.addEventListener("change", widen);
  }
}
