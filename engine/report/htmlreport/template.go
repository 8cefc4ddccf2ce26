package htmlreport

// pageTemplate is the whole page. The stylesheet and the script are inline
// and the Content-Security-Policy allows nothing else: no font, image,
// script or style may come from anywhere but this file.
const pageTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="generator" content="Portal Migration Console {{.Doc.Cover.ConsoleVersion}}">
<title>{{.Doc.Title}} · {{.Doc.Cover.Tenant}} · {{.Doc.ID}}</title>
<style>
:root { --ink:#1f2329; --muted:#5d6470; --line:#d9dde3; --soft:#f4f6f8; --accent:#2f5fb3;
  --success:#1f7a47; --success-bg:#e7f4ec; --warning:#8a5a00; --warning-bg:#fdf3dc;
  --danger:#a8281f; --danger-bg:#fbe9e7; --info:#2f5fb3; --info-bg:#e9f0fb; }
* { box-sizing: border-box; }
html { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: var(--ink); background: #fff; }
body { margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 40px 64px; }
.mono, td.id, td.digest { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 20px; margin-bottom: 28px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--accent); font-weight: 600; }
h1 { font-size: 30px; margin: 6px 0 4px; }
.purpose { color: var(--muted); max-width: 820px; margin: 0 0 18px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 12px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 14px 22px; margin: 0 0 32px; }
nav.toc h2 { font-size: 15px; margin: 0 0 6px; border: 0; padding: 0; }
nav.toc ol { margin: 0; padding-left: 22px; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
section.report-section { margin: 0 0 40px; }
h2 { font-size: 22px; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin: 0 0 14px; }
h3 { font-size: 17px; margin: 22px 0 8px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; vertical-align: middle; margin-left: 8px; }
.badge.not_run { background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.badge.partial { background: var(--warning-bg); color: var(--warning); }
.note { border-left: 4px solid var(--info); background: var(--info-bg); padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
.note.success { border-color: var(--success); background: var(--success-bg); }
.note.warning { border-color: #d69e2e; background: var(--warning-bg); }
.note.danger { border-color: var(--danger); background: var(--danger-bg); }
ul.checklist { list-style: none; padding: 0; margin: 10px 0; }
ul.checklist li { display: grid; grid-template-columns: 26px 1fr; padding: 5px 0; border-bottom: 1px solid var(--soft); }
.mark { font-weight: 700; }
.mark.met { color: var(--success); } .mark.not_met { color: var(--danger); } .mark.not_applicable { color: var(--muted); }
.detail { color: var(--muted); }
figure { margin: 14px 0 22px; }
figure img { width: 100%; max-width: 900px; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.table-tools { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
.table-tools input { font: inherit; padding: 5px 9px; border: 1px solid var(--line); border-radius: 6px; min-width: 280px; }
.table-tools .count { color: var(--muted); font-size: 13px; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13.5px; }
table.data th { text-align: left; background: var(--soft); border-bottom: 1px solid var(--line); padding: 7px 9px; font-weight: 600; white-space: nowrap; }
table.data td { padding: 6px 9px; border-bottom: 1px solid var(--soft); vertical-align: top; overflow-wrap: break-word; }
table.data td.id, table.data td.digest { word-break: break-all; min-width: 11em; }
table.data td.detail { color: var(--muted); }
table.data td.detail:not(.num):not(.time) { word-break: break-all; min-width: 16em; color: var(--muted); font-size: 12.5px; }
table.data td.status, table.data td.integer, table.data td.number, table.data td.time, table.data td.boolean { white-space: nowrap; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tbody tr:nth-child(even) td { background: #fbfcfd; }
table.data th button { all: unset; cursor: pointer; }
table.data th button::after { content: " ↕"; color: #9aa1ab; font-weight: 400; }
table.data th[aria-sort="ascending"] button::after { content: " ↑"; color: var(--ink); }
table.data th[aria-sort="descending"] button::after { content: " ↓"; color: var(--ink); }
.status { font-weight: 600; }
.status.success { color: var(--success); } .status.danger { color: var(--danger); } .status.warning { color: var(--warning); }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line); margin-top: 40px; padding-top: 12px; }
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  @page { size: A4; margin: 16mm 14mm 18mm; }
  nav.toc ol { columns: 1; }
  .table-tools, table.data th button::after { display: none; }
  .scroll { overflow: visible; border: 0; }
  table.data { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, figure, .note, dl.facts { break-inside: avoid; }
  section.report-section { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  table.data tbody tr[hidden] { display: table-row; }
}
</style>
</head>
<body>
<main>
<header class="cover">
  <div class="eyebrow">Portal Migration Console · {{.Doc.ID}}</div>
  <h1>{{.Doc.Title}}</h1>
  <p class="purpose">{{.Doc.Purpose}}</p>
  {{with .Doc.Cover}}
  <dl class="facts">
    <dt>Tenant</dt><dd>{{.Tenant}}</dd>
    <dt>Workspace</dt><dd><span class="mono">{{.WorkspaceID}}</span> · {{label .WorkspaceMode}} · {{label .WorkspaceStatus}}</dd>
    <dt>Target</dt><dd>{{if .TargetURL}}<span class="mono">{{.TargetURL}}</span>{{else}}not connected{{end}}</dd>
    {{range .Sources}}<dt>Source</dt><dd>{{.Name}} ({{.Kind}}, {{.Status}}) · <span class="mono">{{.Locator}}</span></dd>
    {{else}}<dt>Sources</dt><dd>none added</dd>
    {{end}}
    {{range .Snapshots}}<dt>Snapshot</dt><dd><span class="mono">{{.ID}}</span> · {{.Source}} · {{thousands .Items}} items, {{thousands .Pages}} pages · {{.StartedAt.Format "2006-01-02 15:04 UTC"}}{{with .FinishedAt}} to {{.Format "2006-01-02 15:04 UTC"}}{{end}}</dd>
    {{end}}
    {{range .Facts}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
    {{end}}
    <dt>Generated</dt><dd>{{.GeneratedAt.Format "2006-01-02 15:04:05 UTC"}}</dd>
    <dt>Prepared by</dt><dd>{{.PreparedBy}}</dd>
    <dt>Console version</dt><dd>{{.ConsoleVersion}}</dd>
    <dt>Evidence signing key</dt><dd>{{if .SigningKey}}<span class="mono">{{.SigningKey}}</span>{{else}}unavailable{{with .SigningKeyNote}}: {{.}}{{end}}{{end}}</dd>
  </dl>
  {{end}}
</header>

<nav class="toc" aria-label="Contents">
  <h2>Contents</h2>
  <ol>{{range .Doc.Sections}}<li><a href="#{{.ID}}">{{.Title}}</a>{{if eq .Status "not_run"}} <span class="detail">(not run)</span>{{else if eq .Status "partial"}} <span class="detail">(partial)</span>{{end}}</li>{{end}}</ol>
</nav>

{{range .Doc.Sections}}
<section class="report-section" id="{{.ID}}">
  <h2>{{.Title}}{{if eq .Status "not_run"}}<span class="badge not_run">Not run</span>{{else if eq .Status "partial"}}<span class="badge partial">Partial</span>{{end}}</h2>
  {{range .Blocks}}
    {{if .Heading}}{{if eq .Heading.Level 2}}<h3>{{.Heading.Text}}</h3>{{else}}<h4>{{.Heading.Text}}</h4>{{end}}
    {{else if .Paragraph}}<p>{{.Paragraph.Text}}</p>
    {{else if .Facts}}<dl class="facts">{{range .Facts.Items}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
    {{else if .Note}}<div class="note {{.Note.Tone}}" role="note">{{.Note.Text}}</div>
    {{else if .Checklist}}<ul class="checklist">{{range .Checklist.Items}}<li><span class="mark {{.State}}" aria-label="{{stateText .State}}">{{stateMark .State}}</span><span>{{.Label}}{{with .Detail}} <span class="detail">· {{.}}</span>{{end}}</span></li>{{end}}</ul>
    {{else if .Chart}}<figure id="chart-{{.Chart.ID}}"><img src="{{png .Chart.PNG}}" alt="{{.Chart.AltText}}"><figcaption>{{.Chart.AltText}}</figcaption></figure>
    {{else if .Table}}{{template "table" table .Table}}
    {{end}}
  {{end}}
</section>
{{end}}

<footer>
  {{.Doc.Title}} for {{.Doc.Cover.Tenant}} · report {{.Doc.ID}} · generated {{.Doc.Cover.GeneratedAt.Format "2006-01-02 15:04 UTC"}} by Portal Migration Console {{.Doc.Cover.ConsoleVersion}}.
  This file is self-contained: it loads nothing from any network.
</footer>
</main>
<script>
(function () {
  "use strict";
  function key(cell, type) {
    var v = cell.getAttribute("data-v");
    if (v === null) v = cell.textContent;
    if (type === "integer" || type === "number") { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }
  document.querySelectorAll("table.data[data-interactive]").forEach(function (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var heads = table.tHead.rows[0].cells;
    var tools = table.parentNode.previousElementSibling;
    var input = tools.querySelector("input");
    var count = tools.querySelector(".count");
    function shown() {
      var n = 0;
      rows.forEach(function (r) { if (!r.hidden) n++; });
      count.textContent = n === rows.length ? rows.length + " rows" : n + " of " + rows.length + " rows";
    }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      rows.forEach(function (r) { r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0; });
      shown();
    });
    Array.prototype.forEach.call(heads, function (th, i) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var type = th.getAttribute("data-type");
        var keyed = rows.map(function (r, idx) { return [key(r.cells[i], type), idx, r]; });
        keyed.sort(function (a, b) {
          if (a[0] < b[0]) return asc ? -1 : 1;
          if (a[0] > b[0]) return asc ? 1 : -1;
          return a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        keyed.forEach(function (k) { frag.appendChild(k[2]); });
        body.appendChild(frag);
      });
    });
    shown();
  });
})();
</script>
</body>
</html>
{{define "table"}}
{{if .Summarised}}<div class="note info" role="note">{{.Title}} has {{thousands .FullRows}} rows, more than a page can usefully show: {{if .UsesSummary}}below is {{.T.Title | printf "%s"}}{{else}}the first {{thousands (len .T.Rows)}} are below{{end}}. Every row is in the CSV export, {{csvName .FullID}}.</div>
{{end}}
{{if .T.Rows}}
{{if .T.Interactive}}<div class="table-tools"><input type="search" placeholder="Filter {{.T.Title}}" aria-label="Filter {{.T.Title}}"><span class="count"></span></div>{{end}}
<div class="scroll"><table class="data" id="table-{{.T.ID}}"{{if .T.Interactive}} data-interactive{{end}}>
<caption hidden>{{.T.Title}}</caption>
<thead><tr>{{range .T.Columns}}<th scope="col" data-type="{{.Type}}"{{if numeric .}} class="num"{{end}}>{{if $.T.Interactive}}<button type="button">{{.Title}}</button>{{else}}{{.Title}}{{end}}</th>{{end}}</tr></thead>
<tbody>
{{range $row := .T.Rows}}<tr>{{range $i := $.Cols}}{{with index $.T.Columns $i}}<td class="{{.Type}}{{if numeric .}} num{{end}}{{if .Detail}} detail{{end}}"{{if numeric .}} data-v="{{sortKey $.T $row $i}}"{{end}}>{{if eq .Type "status"}}<span class="status {{tone (sortKey $.T $row $i)}}">{{cell $.T $row $i}}</span>{{else}}{{cell $.T $row $i}}{{end}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table></div>
{{else}}<p class="empty">{{if .T.Empty}}{{.T.Empty}}{{else}}No rows.{{end}}</p>
{{end}}
{{end}}`
