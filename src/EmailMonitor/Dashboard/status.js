'use strict';
// The status view: the service's figures now (GET /api/stats) and over the last hour and day
// (GET /api/stats/history), refreshed while shown.
(() => {
  const $ = (id) => document.getElementById(id);
  const { api, register } = window.emailMonitorDashboard;
  const svgNs = 'http://www.w3.org/2000/svg';
  let timer = null;

  function uptime(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  }

  function cards(stats) {
    const figures = [
      ['Connections', stats.active_connections],
      ['Emails per minute', stats.emails_per_minute],
      ['Emails processed', stats.emails_processed],
      ['Rate limits hit', stats.rate_limits_exceeded],
      ['Blocked addresses', stats.blocked_ips],
      ['Failed sign-ins', stats.failed_authentications],
      ['Up for', uptime(stats.uptime_seconds)],
    ];
    $('stat-cards').replaceChildren(...figures.map(([name, value]) => {
      const card = document.createElement('div');
      card.className = 'stat card';
      const term = document.createElement('dt');
      term.textContent = name;
      const figure = document.createElement('dd');
      figure.textContent = String(value);
      card.append(term, figure);
      return card;
    }));
    const stateWords = { watching: '● watching', paused: '‖ paused', auth_failed: '✗ login refused', stopped: '✗ stopped' };
    $('folder-table').tBodies[0].replaceChildren(...stats.mailboxes.map((folder) => {
      const row = document.createElement('tr');
      const state = stateWords[folder.state] || `◌ ${folder.state}`;
      for (const text of [folder.mailbox, folder.folder, state, String(folder.last_uid), folder.last_connected_at ? new Date(folder.last_connected_at).toLocaleString() : '—']) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      row.cells[2].className = `state state-${folder.state}`;
      return row;
    }));
  }

  // Bars of emails per point; the figures are also said in words for those who cannot see them.
  function chart(container, history, unit) {
    const points = history.points;
    const width = 600;
    const height = 120;
    const peak = Math.max(1, ...points.map((p) => p.emails));
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    const total = points.reduce((sum, p) => sum + p.emails, 0);
    const busiest = points.reduce((best, p) => (p.emails > (best ? best.emails : -1) ? p : best), null);
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const summary = points.length === 0 ? 'No figures yet.'
      : `${plural(total, 'email')} over ${plural(points.length, unit)}; the busiest ${unit} had ${busiest.emails}, from ${new Date(busiest.start).toLocaleTimeString()}.`;
    svg.setAttribute('aria-label', summary);
    const slot = width / Math.max(points.length, history.period === 'hour' ? 61 : 25);
    points.forEach((point, index) => {
      const bar = document.createElementNS(svgNs, 'rect');
      const barHeight = (point.emails / peak) * (height - 10);
      bar.setAttribute('x', String(index * slot + 1));
      bar.setAttribute('y', String(height - barHeight));
      bar.setAttribute('width', String(Math.max(1, slot - 2)));
      bar.setAttribute('height', String(barHeight));
      bar.setAttribute('class', point.complete ? 'bar' : 'bar bar-now');
      const title = document.createElementNS(svgNs, 'title');
      title.textContent = `${new Date(point.start).toLocaleTimeString()}: ${point.emails} emails${point.complete ? '' : ' (so far)'}`;
      bar.append(title);
      svg.append(bar);
    });
    const caption = document.createElement('p');
    caption.className = 'muted';
    caption.textContent = summary;
    container.replaceChildren(svg, caption);
  }

  function flagged(history) {
    const totals = {};
    for (const point of history.points) for (const [flag, count] of Object.entries(point.flagged)) totals[flag] = (totals[flag] || 0) + count;
    const rows = Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([flag, count]) => {
      const row = document.createElement('tr');
      for (const text of [`⚑ ${flag}`, String(count)]) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement('tr');
      const cell = document.createElement('td');
      cell.colSpan = 2;
      cell.textContent = 'Nothing flagged.';
      row.append(cell);
      rows.push(row);
    }
    $('flagged-table').tBodies[0].replaceChildren(...rows);
  }

  async function refresh() {
    try {
      const [stats, hour, day] = await Promise.all(['/api/stats', '/api/stats/history?period=hour', '/api/stats/history?period=day']
        .map((path) => api('GET', path).then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))));
      cards(stats);
      chart($('chart-hour'), hour, 'minute');
      chart($('chart-day'), day, 'hour');
      flagged(hour);
      $('status-updated').textContent = `Updated ${new Date().toLocaleTimeString()}; refreshes every 10 s.`;
    } catch (error) {
      $('status-updated').textContent = `Could not update: ${error.message}; trying again in 10 s.`;
    }
  }

  register('status', {
    show() { refresh(); clearInterval(timer); timer = setInterval(refresh, 10000); },
    hide() { clearInterval(timer); },
    clear() {
      clearInterval(timer);
      for (const id of ['stat-cards', 'chart-hour', 'chart-day']) $(id).replaceChildren();
      $('flagged-table').tBodies[0].replaceChildren();
      $('folder-table').tBodies[0].replaceChildren();
      $('status-updated').textContent = '';
    },
  });
})();
