/** Longest line kept; MLPerf's `m-results-[...]` of a 12-class model already passes the 80 bytes of a command. */
export const MAX_LINE_BYTES = 1024;

/**
 * Splits a byte stream into `\n`-terminated lines of printable ASCII (`\r` dropped), as the text state of the
 * link parser does: a byte that is not printable text drops what the line held so far, so binary noise or a
 * device at the wrong baud rate yields no lines, and a line printed right after noise survives. Unlike the link
 * parser, 0x00 is just such a byte: MLPerf firmware never frames, and a stray 0x00 at boot must not swallow the
 * lines after it. Overlong lines are dropped whole.
 */
export class TextLines {
  private line: number[] = [];
  private overlong = false;

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    for (const byte of chunk) {
      if (byte === 0x0a) {
        if (!this.overlong && this.line.length > 0) lines.push(String.fromCharCode(...this.line));
        this.line = [];
        this.overlong = false;
      } else if (byte === 0x0d) {
        // Lines end in \r\n; the \r carries nothing.
      } else if (byte >= 0x20 && byte <= 0x7e) {
        if (this.line.length < MAX_LINE_BYTES) this.line.push(byte);
        else this.overlong = true;
      } else {
        this.line = [];
        this.overlong = false;
      }
    }
    return lines;
  }
}
