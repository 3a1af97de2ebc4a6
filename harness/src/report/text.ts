/** Making arbitrary console text safe for XML and HTML reports. Pure. */

const ANSI = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
// XML 1.0 allows tab, LF, CR and everything from U+0020 but the surrogates, U+FFFE and U+FFFF.
const XML_INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Anything cleanText might change: an escape, a control character, a surrogate, a noncharacter. Most text has none. */
const SUSPECT = /[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

/** Strips terminal escapes and replaces what XML cannot hold with U+FFFD. */
export function cleanText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(ANSI, '').replace(XML_INVALID, '\ufffd');
}
