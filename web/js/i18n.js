// Translation of the page's strings (strings.js). For now every string is
// its English original; the catalogs that translate them are built from po/.
export function _(msgid) {
  return msgid;
}

export function ngettext(singular, plural, n) {
  return n === 1 ? singular : plural;
}

// Fills {name} placeholders from @values; a placeholder with no value stays.
export function fmt(text, values) {
  return text.replace(/\{([a-z]+)\}/gi, (all, key) => (key in values ? String(values[key]) : all));
}
