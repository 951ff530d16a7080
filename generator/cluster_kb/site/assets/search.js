// The search page: Pagefind's interface, in the page's language (Pagefind reads <html lang>),
// started with the words of the search box (?q=...).
(function () {
  var element = document.getElementById("kb-search");
  if (!element || typeof PagefindUI === "undefined") return;
  // The page's language's bundle; Pagefind would resolve a relative path against its own script.
  var bundle = new URL(element.getAttribute("data-bundle"), document.baseURI);

  function start(parts) {
    var ui = new PagefindUI({
      element: "#kb-search",
      bundlePath: bundle.pathname,
      // A large language is indexed in parts (kb-parts.json lists the others); results merge.
      mergeIndex: parts.map(function (part) {
        return { bundlePath: new URL(part, bundle).pathname };
      }),
      showSubResults: true,
      showImages: false,
      autofocus: true
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  }

  fetch(new URL("kb-parts.json", bundle))
    .then(function (response) {
      return response.ok ? response.json() : { merge: [] };
    })
    .then(
      function (found) {
        start(Array.isArray(found.merge) ? found.merge : []);
      },
      function () {
        start([]); // no list (a bundle from an older build): the first part alone
      }
    );
})();
