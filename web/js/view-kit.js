// Small DOM helpers of the System, Trading and Resources views: elements,
// figures (a title, a value, a detail line), titled sections and tables whose
// rows are kept by key, so that a refresh only changes the cells that changed.

export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className)
    e.className = className;
  if (text !== undefined)
    e.textContent = text;
  return e;
}

// Changes an element's text only when it differs, in its text node when it
// has one: a live page that replaced its text nodes on every update would
// make garbage (and DOM nodes) at the rate of the stream.
export function setText(node, text) {
  const only = node.firstChild;
  if (only && only === node.lastChild && only.nodeType === Node.TEXT_NODE) {
    if (only.data !== text)
      only.data = text;
  } else if (node.textContent !== text) {
    node.textContent = text;
  }
}

// <div class="figure"><dt>title</dt><dd>value<small>detail</small></dd></div>
export function figure(title) {
  const element = el('div', 'figure');
  const dd = el('dd');
  const value = el('span', 'figure-value', '–');
  const detail = el('span', 'figure-detail');
  dd.append(value, detail);
  element.append(el('dt', '', title), dd);
  return {
    element,
    set(v, d = '') {
      setText(value, v);
      setText(detail, d);
    },
  };
}

let sections = 0;

// A panel with a heading that labels it.
export function section(title, ...children) {
  const s = el('section', 'panel');
  const h = el('h3', '', title);
  h.id = `view-section-${++sections}`;
  s.setAttribute('aria-labelledby', h.id);
  s.append(h, ...children);
  return s;
}

// A table with a header row; fill([{key, cells: [text...], className}]).
// @numeric: per column, whether it is right-aligned (numbers).
export function tableOf(headers, numeric = []) {
  const wrap = el('div', 'table-wrap');
  const table = el('table', 'data-table');
  const head = el('thead');
  const tr = el('tr');
  const ths = headers.map((h, i) => {
    const th = el('th', numeric[i] ? 'num' : '', h);
    th.scope = 'col';
    return th;
  });
  tr.append(...ths);
  head.append(tr);
  const body = el('tbody');
  table.append(head, body);
  wrap.append(table);
  const rows = new Map();
  return {
    wrap,
    table,
    body,
    ths,
    fill(items) {
      const keep = new Set();
      items.forEach((item, i) => {
        keep.add(item.key);
        let row = rows.get(item.key);
        if (!row) {
          row = el('tr');
          row.dataset.key = item.key;
          for (let c = 0; c < headers.length; c++)
            row.append(el('td', numeric[c] ? 'num' : ''));
          rows.set(item.key, row);
          Object.assign(row.dataset, item.dataset || {});
        }
        item.cells.forEach((text, c) => setText(row.children[c], text));
        if (item.classes)
          item.classes.forEach((cls, c) => {
            const td = row.children[c];
            const want = `${numeric[c] ? 'num' : ''} ${cls || ''}`.trim();
            if (td.className !== want)
              td.className = want;
          });
        if (body.children[i] !== row)
          body.insertBefore(row, body.children[i] || null);
      });
      for (const [key, row] of rows)
        if (!keep.has(key)) {
          row.remove();
          rows.delete(key);
        }
    },
  };
}
