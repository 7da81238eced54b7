// Renders the served OpenAPI document with Redoc (embedded, no CDN). A file
// of its own because the Content-Security-Policy allows no inline script.
(function () {
  var el = document.getElementById('redoc');
  Redoc.init(el.getAttribute('data-spec-url'), {
    hideDownloadButton: false,
    expandResponses: '200,201',
    pathInMiddlePanel: true,
  }, el);
})();
