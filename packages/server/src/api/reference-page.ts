// The browsable API reference: one self-contained page (no CDN, no external script: the server may have no
// internet) that fetches /api/v1/openapi.json and renders every operation with its parameters, body and answers.
// All text goes in through textContent, so nothing in the document can inject markup.

export const REFERENCE_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hookline API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 980px; padding: 1rem 1.5rem; color: #1b1f24; }
  h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
  details { border: 1px solid #d0d7de; border-radius: 6px; margin: 0.4rem 0; padding: 0.3rem 0.6rem; }
  summary { cursor: pointer; } code, pre { font: 13px ui-monospace, monospace; }
  pre { background: #f6f8fa; padding: 0.6rem; overflow: auto; max-height: 24rem; }
  .method { display: inline-block; width: 4.5rem; font-weight: 700; text-transform: uppercase; }
  .get { color: #0969da; } .post { color: #1a7f37; } .put { color: #9a6700; } .patch { color: #8250df; } .delete { color: #cf222e; }
  table { border-collapse: collapse; } td, th { text-align: left; padding: 0.2rem 0.6rem 0.2rem 0; vertical-align: top; }
  #filter { width: 100%; padding: 0.4rem; font-size: 15px; margin: 0.6rem 0; }
</style>
</head>
<body>
<h1>Hookline API</h1>
<p id="about">Loading <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>…</p>
<input id="filter" placeholder="Filter by path, method or summary" autocomplete="off">
<main id="operations"></main>
<script>
(function () {
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function block(title, value) {
    var wrap = el('div');
    wrap.appendChild(el('h4', '', title));
    wrap.appendChild(el('pre', '', JSON.stringify(value, null, 2)));
    return wrap;
  }
  function render(doc) {
    document.getElementById('about').textContent = doc.info.title + ' ' + doc.info.version + ' · OpenAPI ' + doc.openapi + ' · ' + doc.info.description;
    var byTag = {};
    Object.keys(doc.paths).sort().forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || 'Other';
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    var main = document.getElementById('operations');
    Object.keys(byTag).sort().forEach(function (tag) {
      var section = el('section');
      section.appendChild(el('h2', '', tag));
      byTag[tag].forEach(function (entry) {
        var details = el('details');
        details.dataset.search = (entry.method + ' ' + entry.path + ' ' + (entry.op.summary || '')).toLowerCase();
        var summary = el('summary');
        summary.appendChild(el('span', 'method ' + entry.method, entry.method));
        summary.appendChild(el('code', '', entry.path));
        if (entry.op.summary) summary.appendChild(el('span', '', ' — ' + entry.op.summary));
        details.appendChild(summary);
        if (entry.op.operationId) details.appendChild(el('p', '', 'operationId: ' + entry.op.operationId));
        if (entry.op.parameters && entry.op.parameters.length) {
          var table = el('table');
          var head = el('tr');
          ['name', 'in', 'required', 'schema'].forEach(function (h) { head.appendChild(el('th', '', h)); });
          table.appendChild(head);
          entry.op.parameters.forEach(function (p) {
            var row = el('tr');
            row.appendChild(el('td', '', p.name));
            row.appendChild(el('td', '', p.in));
            row.appendChild(el('td', '', p.required ? 'yes' : 'no'));
            var cell = el('td');
            cell.appendChild(el('code', '', JSON.stringify(p.schema)));
            row.appendChild(cell);
            table.appendChild(row);
          });
          details.appendChild(el('h4', '', 'Parameters'));
          details.appendChild(table);
        }
        if (entry.op.requestBody) details.appendChild(block('Request body', entry.op.requestBody.content['application/json'].schema));
        Object.keys(entry.op.responses || {}).forEach(function (status) {
          var response = entry.op.responses[status];
          var content = response.content && response.content['application/json'];
          details.appendChild(block('Response ' + status + ' — ' + response.description, content ? content.schema : null));
        });
        section.appendChild(details);
      });
      main.appendChild(section);
    });
  }
  document.getElementById('filter').addEventListener('input', function (event) {
    var needle = event.target.value.toLowerCase();
    document.querySelectorAll('details').forEach(function (d) {
      d.style.display = d.dataset.search.indexOf(needle) >= 0 ? '' : 'none';
    });
  });
  fetch('/api/v1/openapi.json').then(function (r) { return r.json(); }).then(render, function (error) {
    document.getElementById('about').textContent = 'Could not load the OpenAPI document: ' + error;
  });
})();
</script>
</body>
</html>
`;
