// Review queue keyboard: j/k move between items, a approves (verifies a proposed verdict), r asks
// for the reason to reject (or send back) and Enter sends it, x selects for a bulk action, ? shows
// the help. htmx has no notion of "the current item", so the shortcuts need this script; every
// action they trigger is a real form button that also works without it.
//
// It also lets a refusal (403: "you cannot review your own work") be swapped into its item like
// a conflict (409) or bad input (422): the base configuration swaps only those two.

const ITEM = "[data-review-item]";
let currentId = null;

const items = () => Array.from(document.querySelectorAll(ITEM));

function currentItem() {
  const element = currentId && document.getElementById(currentId);
  if (element) return element;
  const active = document.activeElement;
  return active && active.closest ? active.closest(ITEM) : null;
}

function select(element) {
  if (!element) return;
  for (const item of items()) item.classList.remove("current");
  element.classList.add("current");
  currentId = element.id;
  element.focus({ preventScroll: true });
  element.scrollIntoView({ block: "nearest" });
}

function move(delta) {
  const list = items();
  if (!list.length) return;
  const here = list.indexOf(currentItem());
  const next = here < 0 ? (delta > 0 ? 0 : list.length - 1) : here + delta;
  select(list[Math.max(0, Math.min(list.length - 1, next))]);
}

function typingIn(target) {
  return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
}

function act(key) {
  const item = currentItem();
  if (!item) return false;
  if (key === "a") {
    const button = item.querySelector("button[data-review-key='a']");
    if (button) button.click();
    return Boolean(button);
  }
  if (key === "r") {
    const summary = item.querySelector("summary[data-review-key='r']");
    if (!summary) return false;
    const details = summary.parentElement;
    details.open = true;
    const reason = details.querySelector("[data-review-reason]");
    if (reason) reason.focus();
    return true;
  }
  if (key === "x") {
    const box = item.querySelector("[data-review-select]");
    if (box) box.checked = !box.checked;
    return Boolean(box);
  }
  return false;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape") {
    const details = event.target.closest && event.target.closest("details.review-reason");
    if (details) {
      details.open = false;
      select(details.closest(ITEM));
      event.preventDefault();
    }
    return;
  }
  if (typingIn(event.target)) return;
  let handled = true;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "?") {
    const help = document.getElementById("review-help");
    if (help) help.open = !help.open;
  } else if (["a", "r", "x"].includes(event.key)) handled = act(event.key);
  else handled = false;
  if (handled) event.preventDefault();
});

document.addEventListener("click", (event) => {
  const item = event.target.closest && event.target.closest(ITEM);
  if (item) {
    for (const other of items()) other.classList.remove("current");
    item.classList.add("current");
    currentId = item.id;
  }
});

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 403 && xhr.getResponseHeader("X-Inline-Message")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The swapped item is a new element with the same id: keep it current and focused, so that the
// reviewer sees the outcome and j moves on from there.
document.body.addEventListener("htmx:afterSettle", () => {
  if (typingIn(document.activeElement)) return; // never take the focus from a field in use
  const element = currentId && document.getElementById(currentId);
  if (element) select(element);
  else currentId = null;
});
