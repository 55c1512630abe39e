// A kit page whose kit a worker is still building answers 202: ask again every few seconds,
// and show the kit (reload) once the answer is anything else.
(function () {
  "use strict";
  if (!document.querySelector("[data-kit-preparing]")) {
    return;
  }
  var POLL_MS = 3000;
  function check() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 202) {
          window.setTimeout(check, POLL_MS);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(check, POLL_MS * 3);
      });
  }
  window.setTimeout(check, POLL_MS);
})();
