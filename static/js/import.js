// Import batch page: poll the batch's JSON and update each item's row until all finish.
const table = document.querySelector("[data-status-url]");
const summary = document.getElementById("import-summary");

const link = (href, text) => {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
};

const render = (data) => {
  const counts = {};
  for (const item of data.items) {
    counts[item.label] = (counts[item.label] || 0) + 1;
    const row = table.querySelector(`tr[data-item="${item.id}"]`);
    if (!row) continue;
    const state = row.querySelector(".import-state");
    state.dataset.state = item.state;
    state.textContent = item.reason ? `${item.label}: ${item.reason}` : item.label;
    const article = row.querySelector(".import-article");
    article.replaceChildren(item.article_url ? link(item.article_url, item.article_title) : "");
    const snapshot = row.querySelector(".import-snapshot");
    snapshot.replaceChildren(item.snapshot_url ? link(item.snapshot_url, "snapshot") : "");
  }
  const parts = Object.entries(counts).map(([label, n]) => `${n} ${label.toLowerCase()}`);
  summary.textContent = `${data.finished ? "Finished" : "Working"}: ${parts.join(", ")}.`;
};

const poll = async (delay) => {
  try {
    const response = await fetch(table.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      render(data);
      if (data.finished) return;
    }
  } catch {
    // A dropped connection: try again at the next tick.
  }
  setTimeout(() => poll(Math.min(delay * 1.5, 5000)), delay);
};

if (table && summary) poll(500);
