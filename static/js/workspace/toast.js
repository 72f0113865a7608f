// "Passage saved." shown, not only announced, with Undo for a few seconds.
//
// Undo goes through the same API as everything else, so through the same actions:
// undoing a creation deletes the passage (annotation_delete), undoing an edit puts the
// previous coding back (annotation_update), both guarded by the version just saved
// (If-Match), so an undo never overwrites someone else's later change. A failed undo says
// what failed and offers Retry. The message stays while the pointer or focus is on it.

import { createPassage, deletePassage, updatePassage } from "./api.js";
import { refreshBody } from "./highlighter.js";
import { workspace } from "./state.js";

const SHOW_MS = 8000;

let toast;
let message;
let undoButton;
let retryButton;
let closeButton;
let timer = null;
let pending = null; // () => Promise<void>: the undo on offer
let retryAction = null;

function hide() {
  toast.dataset.open = "false";
  message.textContent = "";
  undoButton.hidden = true;
  retryButton.hidden = true;
  closeButton.hidden = true;
  pending = null;
  window.clearTimeout(timer);
  timer = null;
}

function arm() {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    if (toast.matches(":hover, :focus-within")) arm();
    else hide();
  }, SHOW_MS);
}

/** Show `text`; `undo` (optional) is offered as the Undo button and the u key. */
export function notify(text, { undo = null, retry = null } = {}) {
  message.textContent = text;
  toast.dataset.open = "true";
  pending = undo;
  retryAction = retry;
  undoButton.hidden = !undo;
  retryButton.hidden = !retry;
  closeButton.hidden = false;
  if (retry) window.clearTimeout(timer);
  else arm();
}

async function runUndo() {
  const undo = pending;
  if (!undo) return;
  pending = null;
  undoButton.hidden = true;
  await undo();
}

// `current`: the passage as it is now, whose field values not in `passage` are removed
// (the API merges `fields` into the stored ones; null removes one).
function coding(passage, current = null) {
  const cleared = Object.fromEntries(Object.keys(current?.fields || {}).map((key) => [key, null]));
  return {
    tags: passage.tags,
    organization: passage.organization,
    note: passage.note,
    status: passage.status,
    fields: { ...cleared, ...(passage.fields || {}) },
  };
}

function undoer(what, request, done) {
  const attempt = async () => {
    message.textContent = "Undoing…";
    const result = await request();
    if (!result.ok) {
      notify(`Undo failed (${what}): ${result.failure.message}`, {
        retry: result.failure.retry ? attempt : null,
      });
      return;
    }
    await refreshBody();
    notify(done);
    workspace.emit("undone", { what });
  };
  return attempt;
}

export function initToast(element) {
  toast = element;
  message = toast.querySelector("[role=status]");
  undoButton = toast.querySelector("#toast-undo");
  retryButton = toast.querySelector("#toast-retry");
  closeButton = toast.querySelector("#toast-close");
  undoButton.addEventListener("click", runUndo);
  retryButton.addEventListener("click", () => retryAction && retryAction());
  closeButton.addEventListener("click", hide);
  workspace.on("undo-request", runUndo);
  // Coding the next passage ends the offer: one message, about what is in front of you.
  workspace.on("form-open", hide);

  workspace.on("saved", ({ passage, mode, before }) => {
    if (mode === "create") {
      notify("Passage saved.", {
        undo: undoer(
          "deleting the new passage",
          () => deletePassage(passage.id, passage.modified),
          "Undone: the new passage is deleted.",
        ),
      });
    } else {
      notify("Passage updated.", {
        undo: undoer(
          "restoring the previous version",
          () => updatePassage(passage.id, coding(before, passage), passage.modified),
          "Undone: the passage's previous version is back.",
        ),
      });
    }
  });
  workspace.on("deleted", ({ passage }) => {
    // Re-creating is only honest for one's own passage: it would be marked by whoever undoes.
    const own = passage.annotator === workspace.data.user;
    notify("Passage deleted.", {
      undo: own
        ? undoer(
            "re-creating the passage",
            () =>
              createPassage({
                article: workspace.data.article,
                start: passage.start,
                end: passage.end,
                exact: passage.exact,
                ...coding(passage),
              }),
            "Undone: the passage is back.",
          )
        : null,
    });
  });
}
