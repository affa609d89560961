// The report form, enhanced: a field shows only while the chosen status has a use for it
// (the channel for "met" and "partially met", the justification for "not applicable"),
// and a link to an answer inside a closed area opens the area. Without this script every
// field shows and the server ignores what the status has no use for.
(function () {
  "use strict";
  var form = document.querySelector("form.report-form");
  if (!form) return;

  function chosenStatus(requirement) {
    var checked = requirement.querySelector(
      'input[type="radio"][name="' + requirement.dataset.statusName + '"]:checked'
    );
    return checked ? checked.value : "";
  }

  function update(requirement) {
    var status = chosenStatus(requirement);
    requirement.querySelectorAll("[data-applies-when]").forEach(function (field) {
      // A field with an error stays in view, so the reporter can read and correct it.
      var hasError = field.querySelector(".field-error") !== null;
      field.hidden = !hasError && field.dataset.appliesWhen.split(" ").indexOf(status) === -1;
    });
  }

  var requirements = form.querySelectorAll("fieldset.requirement[data-status-name]");
  requirements.forEach(function (requirement) {
    update(requirement);
    requirement.addEventListener("change", function (event) {
      if (event.target.name === requirement.dataset.statusName) update(requirement);
    });
  });

  // Open the closed area that holds the target of an in-page link (the error summary,
  // the reviewer's list, the contents), then let the browser move there.
  function openTarget(id) {
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (link) openTarget(decodeURIComponent(link.hash.slice(1)));
  });
  if (window.location.hash) openTarget(decodeURIComponent(window.location.hash.slice(1)));
})();
