/**
 * Text from the guest, from files and from other people's runs reaches the
 * person's terminal only through here: control characters (an escape
 * sequence can move the cursor, retitle the window or rewrite what was shown)
 * are shown the way `cat -v` shows them (^[, ^G, M-^[) instead of acting. Pure.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g;

export function forTerminal(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return '^?';
    if (code >= 0x80) return `M-^${String.fromCharCode((code - 0x80 + 0x40) & 0x7f)}`;
    return `^${String.fromCharCode(code + 0x40)}`;
  });
}
