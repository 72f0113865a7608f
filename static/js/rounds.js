// Adjudication page: selecting text in a coder's column of a cluster fills that
// cluster's "Start" and "End" fields, so the editor can pick a consensus span with the
// mouse or Shift+arrows instead of typing offsets. The columns' text is the body from
// the cluster's start (data-start, code points); offsets cross the edge here.

import { OffsetMap, rangeToCodePoints } from "./offsets.js";

function fillSpan(column) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
  const span = rangeToCodePoints(column, selection.getRangeAt(0), new OffsetMap(column.textContent));
  if (!span) return;
  const base = Number(column.dataset.start);
  const [start, end] = [base + span.start, base + span.end];
  const form = column.closest(".cluster")?.querySelector(".decision-form");
  if (!form) return;
  form.querySelector("input[name=start]").value = String(start);
  form.querySelector("input[name=end]").value = String(end);
  const status = form.querySelector("[data-span-status]");
  if (status) status.textContent = `Span set to ${start}–${end}: “${selection.toString()}”.`;
}

for (const column of document.querySelectorAll("[data-cluster-text]")) {
  column.addEventListener("mouseup", () => fillSpan(column));
  column.addEventListener("keyup", () => fillSpan(column));
}
