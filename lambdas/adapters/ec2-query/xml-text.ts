// What XML 1.0 can carry. Its Char production allows #x9 | #xA | #xD | #x20–#xD7FF |
// #xE000–#xFFFD | #x10000–#x10FFFF: no other control character, no U+FFFE/U+FFFF, and no lone
// surrogate — not even as a character reference. One such character in a stored Description
// made every DescribeIpamPools of the account unreadable to botocore (ResponseParserError), so
// requests carrying one are refused at the edge (both APIs), and the encoder replaces any that
// got in anyway.

/** A character XML 1.0 cannot carry, in a UTF-16 string: a surrogate only counts when unpaired. */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the control characters XML 1.0 forbids; finding them is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'g');

/** The first character of `text` XML cannot carry, as `U+0001`; undefined when there is none. */
export function forbiddenXmlCharacter(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** `text` with every character XML cannot carry replaced by U+FFFD, the replacement character. */
export function xmlSafe(text: string): string {
  return FORBIDDEN.test(text) ? text.replace(FORBIDDEN_ALL, '\uFFFD') : text;
}

/** The message of a refused value: it names the code point and never repeats the character. */
export function unsafeTextMessage(what: string, codePoint: string): string {
  return `${what} contains a character XML cannot carry (${codePoint}).`;
}
