// Global behaviour htmx cannot express in markup: show one message for failed requests and send
// an expired session back to the login page.
document.body.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 401 || xhr.status === 403 && xhr.getResponseHeader("X-Login-Required")) {
    window.location.assign("/accounts/login/?next=" + encodeURIComponent(window.location.pathname));
    return;
  }
  const box = document.getElementById("global-message");
  if (box) box.textContent = sentMessage(xhr) || `The request failed (${xhr.status}). ${xhr.status >= 500 ? "Please try again; if it keeps failing, tell an editor." : ""}`;
});
// An error page htmx does not swap may say what went wrong in X-Message (percent-encoded UTF-8).
function sentMessage(xhr) {
  const sent = xhr.getResponseHeader("X-Message");
  try {
    return sent ? decodeURIComponent(sent) : "";
  } catch {
    return "";
  }
}
// Under DEBUG, django-htmx's debug script replaces the whole page with any 400, 403, 404 or 500
// answer (to show Django's debug pages). A refusal written for a person is kept from it: one to
// swap into its item (X-Inline-Message, like a 409 or a 422) or one to show above (X-Message).
// This listener on <body> runs before django-htmx's on the document.
document.body.addEventListener("htmx:beforeOnLoad", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && (xhr.getResponseHeader("X-Inline-Message") || xhr.getResponseHeader("X-Message"))) {
    event.stopPropagation();
  }
});
document.body.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("global-message");
  if (box) box.textContent = "Factdesk could not be reached. Check your connection and try again.";
});
