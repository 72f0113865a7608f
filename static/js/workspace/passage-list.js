// The list of passages beside the article, in reading order: quote, tag chips (coloured
// as the highlights, /tags.css), organization, a preview of the note, who coded it.

import { workspace } from "./state.js";

let list = null;

const clip = (text, length) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
};

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function item(p) {
  const li = element("li", "ws-passage");
  li.dataset.passage = p.id;
  const button = element("button", "passage-open link-button", `“${clip(p.exact, 90)}”`);
  button.type = "button";
  button.dataset.passage = p.id;
  const chips = element("p", "ws-passage-tags");
  const tags = workspace.sortedTags(p.tags);
  if (!tags.length) chips.append(element("span", "muted", "No tag"));
  for (const slug of tags) {
    const tag = workspace.tagsBySlug.get(slug);
    chips.append(element("span", `tag-chip tag-${tag ? tag.id : "none"}`, tag ? tag.name : slug), " ");
  }
  if (p.status === "draft") chips.append(element("span", "draft-badge", "Draft"));
  li.append(button, chips);
  if (p.organization) {
    const name = workspace.organizationNames.get(p.organization) || `organization ${p.organization}`;
    li.append(element("p", "ws-passage-org", `Attributed to ${name}`));
  }
  if (p.note) li.append(element("p", "ws-passage-note", `Note: ${clip(p.note, 110)}`));
  li.append(element("p", "ws-passage-by", `Coded by ${p.annotator}`));
  return li;
}

export function renderList() {
  const passages = workspace.ordered();
  list.replaceChildren(...passages.map(item));
  if (!passages.length) list.append(element("li", "muted", "No passages yet."));
}

/** `onOpen(passage, button)` runs when a passage in the list is chosen. */
export function initList(element_, onOpen) {
  list = element_;
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-passage]");
    if (!button) return;
    const passage = workspace.passages.get(Number(button.dataset.passage));
    if (passage) onOpen(passage, button);
  });
  workspace.on("passages", renderList);
  renderList();
}
