// The workspace's shared state and events: the hook other modules plug into.
//
// One object, `workspace`, holds what every module reads (the article id, the body text and
// its offset map, the passages as the server last rendered them, the tags in codebook order)
// and an EventTarget, `workspace.events`, on which the modules announce what happened.
// A module that adds UI to the workspace imports this file and listens; it never reaches
// into another module's DOM. Events (CustomEvent, details in `event.detail`):
//
//   "passages"      the passage map was replaced (after a write or a refresh)  {passages}
//   "saved"         a passage was created or updated                 {passage, mode, before}
//   "deleted"       a passage was deleted                                       {id}
//   "form-open"     the passage dialog opened                    {mode, passage?, start?, end?}
//   "form-close"    the passage dialog closed                                {saved}
//   "undone"        an Undo from the toast went through                         {what}
//   "undo-request"  the u key asked the toast to undo (toast.js listens)            {}
//
// `workspace.on(name, handler)` is a shortcut for addEventListener that returns an
// unsubscribe function.

const readData = (root) => JSON.parse(root.getElementById("workspace-data").textContent);

export { readData };

export const workspace = {
  body: null,
  data: null,
  text: "",
  offsets: null,
  passages: new Map(),
  tagOrder: new Map(),
  events: new EventTarget(),

  emit(name, detail = {}) {
    this.events.dispatchEvent(new CustomEvent(name, { detail }));
  },

  on(name, handler) {
    const listener = (event) => handler(event.detail, event);
    this.events.addEventListener(name, listener);
    return () => this.events.removeEventListener(name, listener);
  },

  setPassages(list) {
    this.passages = new Map(list.map((p) => [p.id, p]));
    this.emit("passages", { passages: this.passages });
  },

  /** Passages in reading order (start, then id). */
  ordered() {
    return [...this.passages.values()].sort((a, b) => a.start - b.start || a.id - b.id);
  },

  sortedTags(slugs) {
    return [...slugs].sort((a, b) => (this.tagOrder.get(a) ?? 0) - (this.tagOrder.get(b) ?? 0));
  },
};
