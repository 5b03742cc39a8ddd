// Sign in with JSON (POST /api/session), then go to the board. Without script the form
// posts to /login and works the same.
"use strict";
(function () {
  const form = document.getElementById("login");
  const error = document.getElementById("error");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const body = { user: form.user.value, password: form.password.value };
    let message = "";
    try {
      const response = await fetch("/api/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
      if (response.ok) {
        window.location.assign("/");
        return;
      }
      message = (await response.json()).error || "Sign in failed";
    } catch (e) {
      message = "The server cannot be reached";
    }
    error.textContent = "Error: " + message;
    error.hidden = false;
    form.password.value = "";
    form.password.focus();
  });
})();
