// Sign-up: as the display name is typed, the empty username field shows the profile address
// the site will make from it (the server makes the same one, and keeps it unique).
(function () {
  "use strict";
  var name = document.getElementById("id_display_name");
  var username = document.getElementById("id_username");
  if (!name || !username) return;
  var fallback = username.getAttribute("placeholder") || "";
  function suggestion(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 30)
      .replace(/^-+|-+$/g, "");
  }
  name.addEventListener("input", function () {
    username.setAttribute("placeholder", suggestion(name.value) || fallback);
  });
})();
