// Suggestions for the care provider field of the overview's filter, as one types.
// Only an enhancement: without it the field still filters, and the page lists the
// providers that match after the form is sent.
(function () {
  "use strict";
  var list = document.getElementById("provider-suggestions");
  var input = document.getElementById("id_provider_q");
  if (!list || !input || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) {
        return;
      }
      asked = text;
      var url = list.dataset.source + "?q=" + encodeURIComponent(text);
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { providers: [] };
        })
        .then(function (body) {
          list.replaceChildren.apply(
            list,
            body.providers.map(function (provider) {
              var option = document.createElement("option");
              option.value = provider.name;
              option.label = provider.organisation_number;
              return option;
            })
          );
        })
        .catch(function () {});
    }, 250);
  });
})();
