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
document.body.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("global-message");
  if (box) box.textContent = "Factdesk could not be reached. Check your connection and try again.";
});
