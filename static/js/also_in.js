// "Also in: Reason (27 Jun 2019), The Hill (26 Jun 2019)" under each passage of the page,
// loaded once the page is shown: finding echoes compares other articles' bodies, which
// the page itself does not wait for (echoes/presenters.py).
//
// The page prints a hidden, empty slot per passage (`data-also-in="<passage id>"`) and the
// address to ask on the list (`data-also-in-url`); the answer is asked for 25 passages at
// a time, in parallel (the server takes at most 100, and reads at most 100 candidate
// articles for a request), and each slot with echoes is filled and shown. A passage whose
// list the bound may have cut (`more` in the answer) ends with a link to its own echoes
// page, which reads every candidate.
// Every piece is built as DOM nodes with text content: nothing from the answer is parsed
// as HTML.

const BATCH = 25; // passages a request (the server reads at most 100 candidate articles for them)

const list = document.querySelector("[data-also-in-url]");
const slots = new Map(
  [...document.querySelectorAll("[data-also-in]")].map((slot) => [slot.dataset.alsoIn, slot]),
);

/** `<a href title>Outlet (<time datetime>27 Jun 2019</time>)</a>` */
function link(item) {
  const a = document.createElement("a");
  a.href = item.url;
  a.title = item.title;
  a.append(item.outlet);
  if (item.published) {
    const time = document.createElement("time");
    time.dateTime = item.published.iso;
    time.textContent = item.published.text;
    a.append(" (", time, ")");
  }
  return a;
}

function fill(slot, items, more) {
  if (!slot || !(items.length || more)) return;
  slot.replaceChildren("Also in: ");
  items.forEach((item, index) => {
    if (index) slot.append(", ");
    slot.append(link(item));
  });
  if (more) {
    const a = document.createElement("a");
    a.href = more;
    a.textContent = items.length ? "and perhaps more" : "see where else these words ran";
    slot.append(items.length ? ", " : "", a);
  }
  slot.hidden = false;
}

async function load(ids) {
  const query = new URLSearchParams(ids.map((id) => ["passage", id]));
  const response = await fetch(`${list.dataset.alsoInUrl}?${query}`, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    // The slots stay hidden: the page reads as it would without echoes. Say why.
    console.warn(`"Also in" not loaded: ${response.status} ${response.statusText}`);
    return;
  }
  const answer = await response.json();
  const more = answer.more || {};
  for (const [id, items] of Object.entries(answer.also_in)) {
    fill(slots.get(id), items, more[id]);
  }
}

if (list && slots.size) {
  const ids = [...slots.keys()];
  const batches = [];
  for (let i = 0; i < ids.length; i += BATCH) batches.push(load(ids.slice(i, i + BATCH)));
  // Signals the end of loading (for the browser tests, and anyone scripting the page).
  Promise.allSettled(batches).then(() => {
    list.dataset.alsoInLoaded = "true";
  });
}
