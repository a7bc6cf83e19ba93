// Translation of the page's strings (strings.js) from the same catalogs as the
// desktop app (po/): the build turns each po/LANG.po into i18n/LANG.json
// (web/po2json.py), and this module loads the one for the first of the
// browser's languages that has one, before any string is looked up (top-level
// await: strings.js imports this module, so S is built translated). English,
// the original, needs no catalog.

// the languages of po/LINGUAS (po/check-potfiles.py keeps the three lists equal)
export const CATALOGS = ['de', 'fr'];

// the plural rules of the catalogs' Plural-Forms headers (web/po2json.py
// refuses others): the header cannot be evaluated, the CSP forbids eval
const PLURAL_RULES = {
  'n != 1': (n) => (n !== 1 ? 1 : 0),
  'n > 1': (n) => (n > 1 ? 1 : 0),
  '0': () => 0,
};

// The first of @languages (BCP 47 tags, the browser's order) that arbdash
// speaks: a catalog's language, or null for English, the original.
export function pickLanguage(languages) {
  for (const tag of languages || []) {
    const base = String(tag).toLowerCase().split(/[-_]/)[0];
    if (base === 'en')
      return null;
    if (CATALOGS.includes(base))
      return base;
  }
  return null;
}

async function loadCatalog(language) {
  if (language === null)
    return null;
  try {
    // next to the page, wherever it is served from; the HTTP cache revalidates it by ETag
    const response = await fetch(new URL(`../i18n/${language}.json`, import.meta.url),
      { credentials: 'same-origin' });
    if (!response.ok)
      throw new Error(`HTTP ${response.status}`);
    const catalog = await response.json();
    if (!catalog || typeof catalog.messages !== 'object' || !(catalog.plural in PLURAL_RULES))
      throw new Error('not a catalog');
    return catalog;
  } catch (error) {
    // the page still works, in English
    console.warn(`arbdash: the ${language} translation could not be loaded (${error.message})`);
    return null;
  }
}

const catalog = await loadCatalog(
  pickLanguage(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]));
const messages = catalog ? catalog.messages : {};
const pluralIndex = catalog ? PLURAL_RULES[catalog.plural] : (n) => (n === 1 ? 0 : 1);

// the language the page is shown in, for the screen reader's voice and hyphenation
export const language = catalog ? catalog.language : 'en';
document.documentElement.lang = language;

export function _(msgid) {
  const text = messages[msgid];
  return typeof text === 'string' && text !== '' ? text : msgid;
}

export function ngettext(singular, plural, n) {
  const forms = messages[singular];
  const form = Array.isArray(forms) ? forms[pluralIndex(n)] : undefined;
  if (typeof form === 'string' && form !== '')
    return form;
  return n === 1 ? singular : plural;
}

// Fills {name} placeholders from @values; a placeholder with no value stays.
export function fmt(text, values) {
  return text.replace(/\{([a-z][a-z0-9_]*)\}/gi, (all, key) => (key in values ? String(values[key]) : all));
}
