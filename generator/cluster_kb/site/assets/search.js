// The search page: Pagefind's interface, in the page's language (Pagefind reads <html lang>),
// started with the words of the search box (?q=...).
(function () {
  var element = document.getElementById("kb-search");
  if (!element || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#kb-search",
    // The page's language's bundle; Pagefind would resolve a relative path against its own script.
    bundlePath: new URL(element.getAttribute("data-bundle"), document.baseURI).pathname,
    showSubResults: true,
    showImages: false,
    autofocus: true
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
