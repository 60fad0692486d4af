/**
 * JSON from outside the hub (request bodies, runtime documents, handler results) is parsed here.
 * JSON.parse itself copes with any depth, but serialising the value again (JSON.stringify,
 * BullMQ, pino) recurses and overflows the stack a few thousand levels down. So nesting deeper
 * than MAX_JSON_DEPTH is refused before parsing, with a message that says so.
 */
export const MAX_JSON_DEPTH = 512;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class JsonTooDeepError extends SyntaxError {
  constructor(offset: number) {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (at offset ${offset})`);
    this.name = 'JsonTooDeepError';
  }
}

/** JSON.parse, refusing nesting deeper than MAX_JSON_DEPTH (JsonTooDeepError, a SyntaxError). */
export function parseJson(text: string): unknown {
  // Each level takes at least one character: a text this short cannot nest too deep.
  if (text.length > MAX_JSON_DEPTH) checkDepth(text);
  return JSON.parse(text);
}

/** One pass over the text, outside strings, counting open brackets. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonTooDeepError(i);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
}
