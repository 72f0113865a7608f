// The list of every shortcut (`?`), a native modal dialog written in the template.

let dialog;
let opener = null;

export function showShortcuts() {
  if (dialog.open) return;
  opener = document.activeElement;
  dialog.showModal();
  dialog.querySelector("#shortcuts-close").focus();
}

export function initShortcuts(element, openButton) {
  dialog = element;
  dialog.querySelector("#shortcuts-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
  });
  if (openButton) openButton.addEventListener("click", showShortcuts);
}
