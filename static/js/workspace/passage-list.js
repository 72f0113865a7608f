// The list of passages beside the article, in reading order.

import { workspace } from "./state.js";

let list = null;

export function renderList() {
  list.replaceChildren(
    ...workspace.ordered().map((p) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "passage-open link-button";
      button.dataset.passage = p.id;
      const quote = p.exact.length > 80 ? `${p.exact.slice(0, 79)}…` : p.exact;
      button.textContent = `“${quote.replace(/\s+/g, " ")}”`;
      const meta = document.createElement("span");
      meta.className = "passage-meta";
      const tagNames = workspace.sortedTags(p.tags).join(", ") || "no tags";
      meta.textContent = ` ${tagNames} · ${p.annotator}${p.status === "draft" ? " · draft" : ""}`;
      item.append(button, meta);
      return item;
    }),
  );
}

/** `onOpen(passage, button)` runs when a passage in the list is chosen. */
export function initList(element, onOpen) {
  list = element;
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-passage]");
    if (!button) return;
    const passage = workspace.passages.get(Number(button.dataset.passage));
    if (passage) onOpen(passage, button);
  });
  workspace.on("passages", renderList);
  renderList();
}
