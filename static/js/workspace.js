// The article workspace's own script. htmx does the requests and swaps; this module does what
// markup cannot: turn a text selection into Unicode code point offsets (the browser counts UTF-16
// units, so an emoji before the selection would shift every offset by one), show the small menu
// next to the selection, the keyboard shortcuts, opening a span by clicking its highlight, and
// scrolling to / flashing a span named by a finding. Every action it triggers is a real form or
// link of the page, which also works without it.

const htmx = window.htmx;
const workspace = document.getElementById("workspace");
const menu = document.getElementById("selection-menu");
const help = document.getElementById("keys-help");
const annotationBase = workspace ? workspace.dataset.annotationBase : "/annotations/";

const bodyElement = () => document.getElementById("article-body");
const detailElement = () => document.getElementById("detail");

// --- Offsets -------------------------------------------------------------------------------------

/** Number of Unicode code points in a JavaScript (UTF-16) string. */
export function codePointLength(text) {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** The text of the body from its start up to (node, offset); the body holds only the article's
 * text (in text nodes and <mark>s), so this is exactly body[0:offset] of the stored article. */
function textBefore(body, node, offset) {
  const range = document.createRange();
  range.setStart(body, 0);
  range.setEnd(node, offset);
  return range.toString();
}

/** The selection inside the article body as {start, end, exact} in code points, whitespace at
 * either end left out; null when nothing (or only whitespace) of the body is selected. */
export function selectionOffsets() {
  const body = bodyElement();
  const selection = window.getSelection();
  if (!body || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0).cloneRange();
  const whole = document.createRange();
  whole.selectNodeContents(body);
  // Clip to the body: a drag may start or end outside it.
  if (range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0) return null; // after the body
  if (range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0) return null; // before it
  if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) range.setStart(body, 0);
  if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) range.setEnd(body, body.childNodes.length);
  const selected = range.toString();
  const leading = selected.length - selected.trimStart().length;
  const exact = selected.trim();
  if (!exact) return null;
  const start = codePointLength(textBefore(body, range.startContainer, range.startOffset)) +
    codePointLength(selected.slice(0, leading));
  return { start, end: start + codePointLength(exact), exact, rect: range.getBoundingClientRect() };
}

// --- The selection menu ----------------------------------------------------------------------------

function hideMenu() {
  if (menu) menu.hidden = true;
}

function updateMenu() {
  if (!menu) return;
  const found = selectionOffsets();
  if (!found) {
    hideMenu();
    return;
  }
  menu.elements.start.value = String(found.start);
  menu.elements.end.value = String(found.end);
  menu.elements.exact.value = found.exact;
  const reattach = menu.querySelector("[data-reattach]");
  if (reattach) reattach.hidden = !reattachForm();
  menu.hidden = false;
  const top = window.scrollY + found.rect.bottom + 6;
  const left = Math.max(8, Math.min(window.scrollX + found.rect.left, window.scrollX + document.documentElement.clientWidth - menu.offsetWidth - 8));
  menu.style.top = `${top}px`; // CSSOM, allowed by the CSP (no inline style attribute)
  menu.style.left = `${left}px`;
}

document.addEventListener("mouseup", (event) => {
  if (menu && menu.contains(event.target)) return;
  // Let the browser settle the selection first (a click inside a selection collapses it).
  window.setTimeout(updateMenu, 0);
});
document.addEventListener("keyup", (event) => {
  if (event.shiftKey || event.key === "Shift") updateMenu();
});

if (menu) {
  menu.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful || event.detail.xhr.status === 422) {
      hideMenu();
      window.getSelection().removeAllRanges();
    }
  });
}

// --- Opening spans, flashing them ----------------------------------------------------------------

// The highlight (or list row) that opened the detail: closing the sheet returns the focus to it.
let opener = null;

function openSpan(key, href, from) {
  opener = from ? { key, element: from } : null;
  sheetWanted = true;
  htmx.ajax("GET", `${annotationBase}${key}/`, { target: "#detail", swap: "outerHTML" });
  // Keep the address of the open span, so that a reload (or the link, shared) opens it again.
  if (href) window.history.replaceState(null, "", href);
}

function marksOf(key) {
  const body = bodyElement();
  return body ? Array.from(body.querySelectorAll(`mark[data-ids~="${CSS.escape(key)}"]`)) : [];
}

export function flash(key) {
  const marks = marksOf(key);
  if (!marks.length) return false;
  marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
  for (const mark of marks) {
    mark.classList.remove("flash");
    void mark.offsetWidth; // restart the animation
    mark.classList.add("flash");
  }
  window.setTimeout(() => marks.forEach((mark) => mark.classList.remove("flash")), 1700);
  return true;
}

function markCurrent() {
  const detail = detailElement();
  const key = detail ? detail.dataset.key || "" : "";
  document.querySelectorAll("mark.hl.current").forEach((mark) => mark.classList.remove("current"));
  document.querySelectorAll("#annotations li.row.current").forEach((row) => row.classList.remove("current"));
  if (!key) return;
  marksOf(key).forEach((mark) => mark.classList.add("current"));
  const row = document.querySelector(`#annotations li.row[data-key="${CSS.escape(key)}"]`);
  if (row) row.classList.add("current");
}

document.addEventListener("click", (event) => {
  const flashLink = event.target.closest("[data-flash]");
  if (flashLink) {
    flash(flashLink.dataset.flash);
    return; // a link also opens the span (htmx); a button only shows it
  }
  const helpButton = event.target.closest("[data-keys-help]");
  if (helpButton && help) {
    help.showModal();
    return;
  }
  const rowLink = event.target.closest("#annotations li.row > a");
  if (rowLink && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
    event.preventDefault();
    openSpan(rowLink.parentElement.dataset.key, rowLink.href, rowLink);
    return;
  }
  const close = event.target.closest("[data-sheet-close]");
  if (close) {
    closeSheet();
    return;
  }
  const reattach = event.target.closest("#selection-menu [data-reattach]");
  if (reattach) {
    reattachHere();
    return;
  }
  const choice = event.target.closest("#overlap-chooser button[data-open]");
  if (choice) {
    const mark = chooserMark;
    hideChooser(false);
    openSpan(choice.dataset.open, null, mark);
    return;
  }
  if (chooser && !chooser.hidden && !chooser.contains(event.target)) hideChooser(false);
  const mark = event.target.closest("#article-body mark.hl");
  if (mark && window.getSelection().isCollapsed) activateMark(mark);
});

/** A highlight clicked, tapped or pressed (Enter): its annotation opens; where several overlap,
 * a chooser lists them all (innermost first). */
function activateMark(mark) {
  const keys = (mark.dataset.ids || "").split(" ").filter(Boolean);
  if (keys.length === 1) openSpan(keys[0], null, mark);
  else if (keys.length > 1) showChooser(mark, keys);
}

// --- The overlap chooser ---------------------------------------------------------------------------

const KIND_LABELS = { claim: "Claim", quote: "Quote", mention: "Mention", date: "Date" };
let chooser = null;
let chooserMark = null;

function labelOf(key) {
  const kind = key.split("/")[0];
  const words = marksOf(key).map((mark) => mark.textContent).join("").replace(/\s+/g, " ").trim();
  const row = document.querySelector(`#annotations li.row[data-key="${CSS.escape(key)}"] .badge[class*="st-"]`);
  const state = row ? ` (${row.textContent.trim()})` : "";
  return `${KIND_LABELS[kind] || kind}${state}: “${words.length > 70 ? words.slice(0, 69) + "…" : words}”`;
}

function showChooser(mark, keys) {
  if (!chooser) {
    chooser = document.createElement("div");
    chooser.id = "overlap-chooser";
    chooser.className = "overlap-chooser";
    chooser.setAttribute("role", "dialog");
    chooser.setAttribute("aria-label", "Annotations on this text");
    document.body.append(chooser);
  }
  chooserMark = mark;
  chooser.replaceChildren();
  const heading = document.createElement("p");
  heading.textContent = `${keys.length} annotations cover this text; open one:`;
  const list = document.createElement("ul");
  for (const key of keys) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.open = key;
    button.textContent = labelOf(key);
    item.append(button);
    list.append(item);
  }
  chooser.append(heading, list);
  chooser.hidden = false;
  const rect = mark.getBoundingClientRect();
  const width = Math.min(chooser.offsetWidth, document.documentElement.clientWidth - 16);
  chooser.style.top = `${window.scrollY + rect.bottom + 4}px`;
  chooser.style.left = `${Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - width - 8))}px`;
  list.querySelector("button").focus();
}

function hideChooser(refocus) {
  if (!chooser || chooser.hidden) return;
  chooser.hidden = true;
  if (refocus && chooserMark && chooserMark.isConnected) chooserMark.focus();
}

if (typeof document !== "undefined") {
  document.addEventListener("keydown", (event) => {
    if (!chooser || chooser.hidden || !chooser.contains(event.target)) return;
    const buttons = Array.from(chooser.querySelectorAll("button"));
    const here = buttons.indexOf(event.target);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = (here + (event.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length;
      buttons[next].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      hideChooser(true);
    } else if (event.key === "Tab" && (event.shiftKey ? here === 0 : here === buttons.length - 1)) {
      hideChooser(false); // leaving the chooser closes it
    }
  }, true);
}

// --- The detail as a sheet on narrow screens -------------------------------------------------------

const narrow = window.matchMedia("(max-width: 60rem)");
let sheetWanted = false;

function placeSheet() {
  const detail = detailElement();
  const body = bodyElement();
  const open = Boolean(detail && detail.dataset.key && narrow.matches && sheetWanted);
  if (detail) detail.classList.toggle("sheet", open);
  if (body) body.classList.toggle("with-sheet", open);
  if (!open) return;
  // Keep the highlight it belongs to in sight above the sheet.
  const mark = marksOf(detail.dataset.key)[0];
  if (mark) {
    const rect = mark.getBoundingClientRect();
    const free = window.innerHeight - detail.offsetHeight;
    if (rect.top < 0 || rect.bottom > free) window.scrollBy({ top: rect.top - Math.max(8, free / 4) });
  }
}

function closeSheet() {
  const detail = detailElement();
  sheetWanted = false;
  placeSheet();
  const key = detail ? detail.dataset.key : "";
  let back = opener && opener.element && opener.element.isConnected ? opener.element : null;
  if (!back && key) back = marksOf(key)[0] || null;
  if (back) back.focus();
}

narrow.addEventListener("change", placeSheet);

// --- Re-attaching an orphan to a selection -----------------------------------------------------------

function reattachForm() {
  const detail = detailElement();
  return detail ? detail.querySelector("form.reattach-form") : null;
}

function reattachHere() {
  const form = reattachForm();
  const found = selectionOffsets();
  if (!form || !found) return;
  form.elements["m-start"].value = String(found.start);
  form.elements["m-end"].value = String(found.end);
  form.elements["m-exact"].value = found.exact;
  hideMenu();
  window.getSelection().removeAllRanges();
  htmx.trigger(form, "submit");
}

// --- Highlights by keyboard, and a quote's speaker shown in the text ---------------------------------

// Every highlight is a tab stop. Chrome starts no text selection on a focusable element, so a
// press of the mouse in the text takes them out of the tab order first (a click still opens a
// highlight), and the next Tab puts them back.
function enableMarks() {
  const body = bodyElement();
  if (!body) return;
  for (const mark of body.querySelectorAll("mark.hl")) mark.tabIndex = 0;
}

document.addEventListener("mousedown", (event) => {
  const body = bodyElement();
  if (!body || !body.contains(event.target)) return;
  for (const mark of body.querySelectorAll("mark.hl[tabindex]")) mark.removeAttribute("tabindex");
}, true);
document.addEventListener("keydown", (event) => {
  if (event.key === "Tab") enableMarks();
}, true);

document.addEventListener("keydown", (event) => {
  const mark = event.target.closest && event.target.closest("#article-body mark.hl");
  if (!mark || (event.key !== "Enter" && event.key !== " ")) return;
  event.preventDefault();
  activateMark(mark);
});

function speakerMarks(mark) {
  const body = bodyElement();
  let links = {};
  try {
    links = JSON.parse((body && body.dataset.speakers) || "{}");
  } catch {
    links = {};
  }
  const keys = (mark.dataset.ids || "").split(" ").filter((key) => key.startsWith("quote/"));
  return keys.flatMap((key) => (links[key] || []).flatMap(marksOf));
}

function showSpeaker(event) {
  const mark = event.target.closest && event.target.closest("#article-body mark.hl.t-quote");
  document.querySelectorAll("mark.hl.speaker-of").forEach((m) => m.classList.remove("speaker-of"));
  if (mark) speakerMarks(mark).forEach((m) => m.classList.add("speaker-of"));
}
document.addEventListener("mouseover", showSpeaker);
document.addEventListener("focusin", showSpeaker);

// --- Keyboard -------------------------------------------------------------------------------------

function typingIn(target) {
  return target && target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]");
}

function moveRow(delta) {
  const rows = Array.from(document.querySelectorAll("#annotations li.row"));
  if (!rows.length) return;
  const here = rows.findIndex((row) => row.classList.contains("current"));
  const next = here < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, here + delta));
  const link = rows[next].querySelector("a");
  rows[next].scrollIntoView({ block: "nearest" });
  if (link) link.click();
}

function review(key) {
  const detail = detailElement();
  if (!detail) return false;
  if (key === "a") {
    const approve = detail.querySelector("button[data-action='approve']");
    if (approve) approve.click();
    return Boolean(approve);
  }
  const reject = detail.querySelector("button[data-action='reject']");
  if (!reject) return false;
  // As in the review queue, r never rejects at once: it asks for the reason (an automatic
  // proposal's is suggested, selected so that typing replaces it); Enter or the button rejects.
  const note = reject.form.querySelector("textarea, input[name$='note']");
  if (!note) return false;
  note.focus();
  note.select();
  return true;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape") {
    hideMenu();
    const detail = detailElement();
    if (detail && detail.classList.contains("sheet")) closeSheet();
    return;
  }
  if (typingIn(event.target)) return;
  const key = event.key;
  if (key === "?") {
    if (help) help.showModal();
    event.preventDefault();
    return;
  }
  if (menu && !menu.hidden) {
    const button = menu.querySelector(`button[data-key="${CSS.escape(key)}"]`);
    if (button) {
      event.preventDefault();
      button.click();
      return;
    }
  }
  if (key === "j" || key === "k") {
    event.preventDefault();
    moveRow(key === "j" ? 1 : -1);
  } else if (key === "a" || key === "r") {
    if (review(key)) event.preventDefault();
  }
});

// --- htmx integration ------------------------------------------------------------------------------

// A refusal the server answers with a partial (403 "not your own work") is shown in place, like
// a conflict (409) or bad input (422), which the base configuration already swaps.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 403 && xhr.getResponseHeader("X-Inline-Message")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  markCurrent();
  enableMarks();
  const detail = detailElement();
  const target = event.detail.target;
  if (detail && target && target.id === "detail") {
    sheetWanted = true; // whatever was opened or done there is shown where the person is
    placeSheet();
    detail.focus({ preventScroll: true });
  }
});

markCurrent();
enableMarks();
sheetWanted = Boolean(new URLSearchParams(window.location.search).get("open"));
placeSheet();
document.documentElement.dataset.workspaceReady = String(Math.round(performance.now()));
