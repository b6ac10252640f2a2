// Global behaviour htmx cannot express in markup: show one message for failed requests and send
// an expired session back to the login page.
document.body.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 401 || xhr.status === 403 && xhr.getResponseHeader("X-Login-Required")) {
    window.location.assign("/accounts/login/?next=" + encodeURIComponent(window.location.pathname));
    return;
  }
  const box = document.getElementById("global-message");
  if (box) box.textContent = `The request failed (${xhr.status}). ${xhr.status >= 500 ? "Please try again; if it keeps failing, tell an editor." : ""}`;
});
document.body.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("global-message");
  if (box) box.textContent = "Factdesk could not be reached. Check your connection and try again.";
});
