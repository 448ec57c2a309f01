/*
 * Overblik's search widget for intranet pages. Paste where the search box should appear:
 *
 *   <script src="https://overblik.example.dk/static/widget.js"
 *           data-api="https://overblik.example.dk" async></script>
 *
 * Attributes: data-api (the API's address; default: where this file comes from) and data-limit (results
 * shown, 1–10; default 5). The widget lives in a Shadow DOM, so the page's CSS and the widget's do not mix.
 * This is a classic script so that it runs from any page; the widget itself is the module widget-app.js.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;

  var scriptUrl = new URL(script.src, document.baseURI);
  var apiAttribute = script.getAttribute("data-api") || scriptUrl.origin;
  var api = new URL(apiAttribute, document.baseURI).href.replace(/\/+$/, "");
  var limit = Math.min(10, Math.max(1, parseInt(script.getAttribute("data-limit"), 10) || 5));

  var host = document.createElement("div");
  host.className = "overblik-widget";
  script.parentNode.insertBefore(host, script);
  var shadow = host.attachShadow({ mode: "open" });
  ["components.css", "widget.css"].forEach(function (name) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL(name, scriptUrl).href;
    shadow.appendChild(link);
  });
  var root = document.createElement("div");
  root.className = "widget";
  root.setAttribute("lang", "da");
  shadow.appendChild(root);

  // The module and the API both need this page's origin in the API's CORS setting: check both at once.
  Promise.all([import(new URL("widget-app.js", scriptUrl).href), fetchHealth(api)])
    .then(function (loaded) {
      loaded[0].mountWidget(root, { api: api, limit: limit });
    })
    .catch(function (error) {
      var explained = error && error.status
        ? Promise.resolve({
            reader:
              "Søgningen kan ikke bruges her lige nu. Prøv igen senere, eller søg direkte i Overblik.",
            technical: "the Overblik API at " + api + " answered " + error.status + " (check data-api)",
          })
        : explainFailure(api);
      explained.then(function (failure) {
        // The reader gets a way on; whoever maintains the intranet page finds the reason in the console.
        console.warn("Overblik widget: " + failure.technical);
        showFailure(root, failure.reader, api + "/");
      });
    });

  function fetchHealth(base) {
    return fetch(base + "/healthz", { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw { status: response.status };
    });
  }

  // A request the browser may not read (mode no-cors) still tells whether the server answers at all:
  // if it does, the CORS setting is what stops the widget.
  function explainFailure(base) {
    var origin = window.location.origin;
    return fetch(base + "/healthz", { mode: "no-cors", cache: "no-store" }).then(
      function () {
        return {
          reader: "Søgningen kan ikke vises på denne side. Du kan søge direkte i Overblik.",
          technical:
            "the Overblik API at " + base + " does not allow this page's origin (" + origin + "); " +
            "add it to the API's setting OVERBLIK_CORS_ORIGINS",
        };
      },
      function () {
        return {
          reader: "Søgetjenesten kan ikke nås lige nu. Prøv igen senere, eller søg direkte i Overblik.",
          technical: "the Overblik API at " + base + " cannot be reached",
        };
      },
    );
  }

  function showFailure(target, message, fullSearch) {
    var box = document.createElement("div");
    box.className = "state state-error";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "state-title";
    title.textContent = "Søgefeltet kan ikke bruges her";
    var text = document.createElement("p");
    text.className = "state-text";
    text.textContent = message;
    var action = document.createElement("p");
    action.className = "state-actions";
    var link = document.createElement("a");
    link.href = fullSearch;
    link.textContent = "Gå til Overblik";
    action.appendChild(link);
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(action);
    target.replaceChildren(box);
  }
})();
