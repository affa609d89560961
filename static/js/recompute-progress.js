// Updates a recompute's progress without a reload; the page works without it (reload).
(function () {
  "use strict";
  var box = document.getElementById("recompute");
  if (!box || box.dataset.inProgress !== "true") return;
  var bar = document.getElementById("recompute-progress");
  var done = document.getElementById("recompute-done");
  var total = document.getElementById("recompute-total");
  var state = document.querySelector("#recompute-state strong");

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        bar.max = Math.max(status.total, 1);
        bar.value = status.done;
        bar.textContent = status.done + " / " + status.total;
        done.textContent = status.done;
        total.textContent = status.total;
        state.textContent = status.state_label;
        if (status.in_progress) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();  // the finished page shows the result
        }
      })
      .catch(function () {
        // Signed out, refused or away: stop polling; the page's reload link still works.
      });
  }
  window.setTimeout(poll, 1000);
})();
