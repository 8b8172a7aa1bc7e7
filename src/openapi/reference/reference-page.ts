/**
 * The reference page at `/api/docs`: Swagger UI (`swagger-ui-dist`) showing `/api/docs/openapi.json`.
 * Its own files are kept here as text, so that the compiled server (`dist/`, which holds no copied
 * assets) serves them as they are. Nothing is inline: the page runs under the operator page's CSP
 * (`script-src 'self'`, `style-src 'self'`), so Swagger UI is started by `init.js`, a file of its own.
 */

/** Where the page and its files are served; absolute, as `/api/docs` and `/api/docs/` are the same page. */
export const REFERENCE_BASE = '/api/docs';

export const REFERENCE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>API reference · Identity provisioning hub</title>
    <link rel="stylesheet" href="${REFERENCE_BASE}/assets/swagger-ui.css" />
    <link rel="stylesheet" href="${REFERENCE_BASE}/assets/reference.css" />
    <link rel="icon" type="image/png" href="${REFERENCE_BASE}/assets/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="${REFERENCE_BASE}/assets/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <noscript>
      <p class="reference-noscript">
        This page needs JavaScript. The OpenAPI document itself is at
        <a href="${REFERENCE_BASE}/openapi.json">${REFERENCE_BASE}/openapi.json</a>.
      </p>
    </noscript>
    <div id="swagger-ui"></div>
    <script src="${REFERENCE_BASE}/assets/swagger-ui-bundle.js"></script>
    <script src="${REFERENCE_BASE}/assets/init.js"></script>
  </body>
</html>
`;

/**
 * Starts Swagger UI on the document, try-it-out on, tags closed until clicked. The document's tags
 * come ordered by caller (identity providers, integration partners, operators) and its
 * `x-tagGroups` name those groups: Swagger UI does not read `x-tagGroups`, so a small plugin
 * writes each group's name above the first of its tags that has operations on the page.
 */
export const REFERENCE_INIT_JS = `'use strict';
(function () {
  function groupStartingAt(system, tag) {
    var groups = system.specSelectors.specJson().get('x-tagGroups');
    if (!groups || typeof groups.find !== 'function') return null;
    var shown = system.specSelectors.taggedOperations();
    var group = groups.find(function (g) {
      return g.get('tags').includes(tag);
    });
    if (!group) return null;
    var first = group.get('tags').find(function (t) {
      return shown.has(t);
    });
    return first === tag ? group.get('name') : null;
  }

  function slug(text) {
    return String(text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }

  function TagGroupsPlugin() {
    return {
      wrapComponents: {
        OperationTag: function (Original, system) {
          return function TagWithGroup(props) {
            var React = system.React;
            var tag = React.createElement(Original, props);
            var group = groupStartingAt(system, props.tag);
            if (!group) return tag;
            var heading = React.createElement(
              'h2',
              { className: 'reference-tag-group', id: 'group-' + slug(group) },
              group,
            );
            return React.createElement(React.Fragment, null, heading, tag);
          };
        },
      },
    };
  }

  window.ui = SwaggerUIBundle({
    url: '${REFERENCE_BASE}/openapi.json',
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [TagGroupsPlugin],
    deepLinking: true,
    // Tags start closed: with every one of its 130 operations open at once, Swagger UI stops
    // rendering after the first few in Chromium; a tag opens with a click (or a deep link).
    docExpansion: 'none',
    tryItOutEnabled: true,
    displayOperationId: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    // Nothing is sent elsewhere: no badge from validator.swagger.io, no remote $ref.
    validatorUrl: null,
    // Try-it-out shows what the service answers to the request it shows, not the browser's cached copy.
    requestInterceptor: function (request) {
      if (!request.loadSpec) request.cache = 'no-store';
      return request;
    },
  });
})();
`;

export const REFERENCE_CSS = `.reference-tag-group {
  margin: 48px 0 8px;
  padding-bottom: 6px;
  border-bottom: 2px solid #3b4151;
  color: #3b4151;
  font-family: sans-serif;
  font-size: 28px;
  font-weight: 700;
}

.reference-noscript {
  margin: 24px;
  font-family: sans-serif;
}
`;
