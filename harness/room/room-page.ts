// The room board's page: one self-contained HTML file (no CDN: it works on a LAN without the
// internet) that follows /events. Every participant-given string is set as text, never as HTML.

export function roomPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Workshop room board</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; background: #fff; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  code { background: #f2f4f7; padding: .1rem .3rem; border-radius: 3px; }
  table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
  .pass { color: #116329; font-weight: 600; }
  .fail { color: #a40e26; font-weight: 600; }
  #stuck li { margin: .2rem 0; }
  #status { color: #57606a; font-size: .9rem; }
</style>
</head>
<body>
<h1>Room board</h1>
<p>Join from your laptop: <code id="join">…</code></p>
<p id="status">Connecting…</p>
<h2>Most of the room is stuck on</h2>
<ul id="stuck"><li>Nothing yet.</li></ul>
<table>
  <thead><tr><th>Participant</th><th>Lab</th><th>Last check</th><th>Failing</th><th>On this lab</th><th>Checks</th><th>Hints</th><th>Done</th></tr></thead>
  <tbody id="rows"></tbody>
</table>
<script>
const cell = (text, className) => {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
const minutes = (since) => Math.max(0, Math.round((Date.now() - since) / 60000)) + ' min';
let latest;
function render(board) {
  latest = board;
  document.getElementById('join').textContent =
    'npx workshop check <lab> --room ' + location.origin + '/?code=' + board.code + ' --name "Your name"';
  const stuck = document.getElementById('stuck');
  stuck.replaceChildren(...(board.stuckOn.length ? board.stuckOn.map((s) => {
    const li = document.createElement('li');
    li.textContent = s.count + ' of ' + s.of + ' on ' + s.lab + ': ' + s.finding;
    return li;
  }) : [Object.assign(document.createElement('li'), { textContent: 'Nothing yet.' })]));
  const rows = document.getElementById('rows');
  rows.replaceChildren(...board.participants.map((p) => {
    const tr = document.createElement('tr');
    tr.dataset.name = p.name;
    tr.append(
      cell(p.name),
      cell(p.lab),
      cell(p.passed ? 'pass' : 'fail', p.passed ? 'pass' : 'fail'),
      cell(p.failing.map((f) => f.measured ? f.name + ' (' + f.measured + ')' : f.name).join('; ')),
      cell(minutes(p.onLabSince)),
      cell(String(p.checks)),
      cell(String(p.hintsUsed)),
      cell(p.done.join(', ')),
    );
    return tr;
  }));
  document.getElementById('status').textContent =
    board.participants.length + ' participants, ' + board.accepted + ' checks reported. Updated ' + new Date().toLocaleTimeString() + '.';
}
const events = new EventSource('/events');
events.onmessage = (message) => render(JSON.parse(message.data));
events.onerror = () => { document.getElementById('status').textContent = 'Reconnecting to the board…'; };
setInterval(() => latest && render(latest), 30000);
</script>
</body>
</html>
`;
}
