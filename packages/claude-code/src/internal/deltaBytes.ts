/**
 * The byte-level fast path for the lines that make up nearly all of a `--include-partial-messages`
 * run: `stream_event` / `content_block_delta`, in the exact layout the CLI writes them,
 *
 * ```
 * {"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta",
 * "text":"…"}},"session_id":"…","parent_tool_use_id":null,"uuid":"…","api_message_id":"…"}
 * ```
 *
 * (one line; `api_message_id` optional, any of the four delta types of `ClaudeEvent.deltaFields`).
 * It reads the line's bytes against that template and builds the event straight from them, without
 * decoding the whole line to a string and without `JSON.parse`: only the strings are decoded, the
 * session id and message id (the same on every line) once per run. A line whose bytes around its
 * text and uuid are those of the line before (nearly every line of a run) is read by comparing
 * those bytes, and only its text and uuid are decoded (see `Previous`). It checks everything the JSON
 * grammar and the Schema of `StreamEvent` would: a string is ended by an unescaped quote and holds
 * no control character, one with escapes goes through `JSON.parse`, the index is a JSON integer,
 * nothing follows the closing brace. It only ever accepts: anything else (other whitespace, another
 * key order, another field, a byte it does not expect) returns `undefined`, and the line takes the
 * general path (decode, clean, `JSON.parse`, `ClaudeEvent.decodeLine`), which stays the authority
 * for what is valid. A test checks both agree on every recorded line and on byte-level mutations.
 *
 * @internal
 */
import * as ClaudeEvent from "../ClaudeEvent.js"

/**
 * A fixed run of bytes, compared four at a time (a `DataView` read) and then byte by byte: three
 * times faster than byte by byte alone, and most of a delta line is these.
 */
interface Literal {
  readonly length: number
  readonly words: Int32Array
  readonly tail: Uint8Array
}

const literal = (text: string): Literal => {
  const bytes = Buffer.from(text, "latin1")
  const words = new Int32Array(bytes.length >> 2)
  for (let k = 0; k < words.length; k++) words[k] = bytes.readInt32LE(4 * k)
  return { length: bytes.length, words, tail: new Uint8Array(bytes.subarray(4 * words.length)) }
}

const HEAD = literal(`{"type":"stream_event","event":{"type":"content_block_delta","index":`)
const DELTA = literal(`,"delta":{"type":"`)
const KINDS: ReadonlyArray<{ readonly type: string; readonly field: string; readonly literal: Literal }> = Object
  .entries(ClaudeEvent.deltaFields).map(([type, field]) => ({ type, field, literal: literal(`${type}","${field}":`) }))
const SESSION = literal(`}},"session_id":`)
const PARENT = literal(`,"parent_tool_use_id":`)
const UUID = literal(`,"uuid":`)
const MESSAGE = literal(`,"api_message_id":`)

const QUOTE = 0x22
const BACKSLASH = 0x5c
const CLOSE = 0x7d
const ZERO = 0x30
const NINE = 0x39

/** The index just past `expected` if it is at `i`, else -1. */
const match = (bytes: Buffer, view: DataView, i: number, end: number, expected: Literal): number => {
  if (i < 0 || i + expected.length > end) return -1
  const words = expected.words
  for (let k = 0; k < words.length; k++) if (view.getInt32(i + 4 * k, true) !== words[k]) return -1
  const tail = expected.tail
  const at = i + 4 * words.length
  for (let k = 0; k < tail.length; k++) if (bytes[at + k] !== tail[k]) return -1
  return i + expected.length
}

/** Whether the last string {@link closeQuote} found has escapes (then `JSON.parse` decodes it). */
let escaped = false

/**
 * The index of the closing quote of the JSON string whose opening quote is at `i`, or -1 when
 * there is no string there, no closing quote on the line, or a control character in it (not JSON).
 * Four bytes at a time while none of them is a quote, a backslash or a control character (the
 * classic "has a zero byte" bit trick, which can only err towards looking closer), then byte by byte.
 */
const closeQuote = (bytes: Buffer, view: DataView, i: number, end: number): number => {
  if (i < 0 || i >= end || bytes[i] !== QUOTE) return -1
  escaped = false
  let k = i + 1
  while (k < end) {
    while (k + 4 <= end) {
      const word = view.getInt32(k, true)
      const quote = word ^ 0x22222222
      const backslash = word ^ 0x5c5c5c5c
      if (
        (((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((word - 0x20202020) & ~word)) &
        0x80808080
      ) break
      k += 4
    }
    if (k >= end) break
    const c = bytes[k]!
    if (c === QUOTE) return k
    if (c < 0x20) return -1
    if (c === BACKSLASH) {
      escaped = true
      k += 2 // the escaped character: JSON.parse checks the escape
    } else {
      k++
    }
  }
  return -1
}

/** The string from the opening quote at `open` to the closing one at `close`, or `undefined`. */
const stringAt = (bytes: Buffer, open: number, close: number): string | undefined => {
  if (!escaped) return bytes.toString("utf8", open + 1, close)
  try {
    return JSON.parse(bytes.toString("utf8", open, close + 1)) as string
  } catch {
    return undefined
  }
}

/** Whether `bytes[at..at + length)` equals `same[from..from + length)`, four bytes at a time. */
const equalAt = (
  bytes: Buffer,
  view: DataView,
  at: number,
  same: Buffer,
  sameView: DataView,
  from: number,
  length: number
): boolean => {
  let k = 0
  for (; k + 4 <= length; k += 4) if (view.getInt32(at + k, true) !== sameView.getInt32(from + k, true)) return false
  for (; k < length; k++) if (bytes[at + k] !== same[from + k]) return false
  return true
}

/**
 * The last value of a string that is the same on every line of a run (the session id, the message
 * id) and its bytes: a line with the same bytes gets the same string, decoded once.
 */
class Repeated {
  bytes = Buffer.alloc(0)
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 0)
  value: string | undefined = undefined
  get(bytes: Buffer, view: DataView, open: number, close: number): string | undefined {
    if (escaped) return stringAt(bytes, open, close)
    const from = open + 1
    const length = close - from
    if (
      this.value !== undefined && this.bytes.length === length &&
      equalAt(bytes, view, from, this.bytes, this.view, 0, length)
    ) return this.value
    const value = bytes.toString("utf8", from, close)
    this.bytes = Buffer.from(bytes.subarray(from, close)) // a copy: the buffer may be reused
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, length)
    this.value = value
    return value
  }
}

/** Past this many bytes around its text and uuid, a line is not kept as {@link Previous}. */
const PREVIOUS_MAX_BYTES = 4096

/**
 * The bytes of the last line read in full around its two strings that change from line to line,
 * the text and the uuid, and what they decoded to. Nearly every delta line of a run has the same
 * bytes there as the line before (the same index, delta type, session id, parent and message id),
 * so it is read by comparing them, four at a time, instead of matching the template and finding
 * the end of each string again: only its text and uuid are decoded. Equal bytes read the same way
 * (the bytes around the strings are read the same whatever the strings hold), so a line read so
 * is one the full read takes, to the same event; anything else is read in full.
 *
 * A line read in full replaces it only when it is the first, or when the comparison has failed on
 * two lines in a row: lines of two streams that take turns (as subagents running side by side
 * might, each with its own `parent_tool_use_id`) would otherwise replace it at every line, and a
 * failed comparison and a copy cost more than a full read saves (100k lines of two streams in
 * turn: 932 ns a line against 530 read in full; kept through one failure, 574).
 */
class Previous {
  /** `prefix`, `middle` and `suffix` one after the other (a copy: the caller may reuse its buffers). */
  bytes = Buffer.alloc(0)
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 0)
  /** From the line's start through the text's opening quote. */
  prefix = 0
  /** From the text's closing quote through the uuid's opening quote. */
  middle = 0
  /** From the uuid's closing quote to the line's end (its closing brace). */
  suffix = 0
  index = 0
  kind = KINDS[0]!
  parent: string | null | undefined = undefined
  session_id: string | undefined = undefined
  api_message_id: string | undefined = undefined
}

/**
 * Decodes `content_block_delta` lines from their bytes: the `StreamEvent` of one line,
 * `bytes[start..end)` (without its `\n` or a terminal's `\r`), when it is a `content_block_delta`
 * in the CLI's layout; `undefined` for any other line. `view` is a `DataView` over the same bytes
 * as `bytes`. One per run: it remembers the run's session id, message id and last line.
 *
 * @internal
 */
export type DeltaDecoder = (
  bytes: Buffer,
  view: DataView,
  start: number,
  end: number
) => ClaudeEvent.StreamEvent | undefined

/**
 * A {@link DeltaDecoder} for one run.
 *
 * @internal
 */
export const makeDeltaDecoder = (): DeltaDecoder => {
  const decoder = new DeltaLineDecoder()
  return (bytes, view, start, end) => decoder.decode(bytes, view, start, end)
}

/**
 * The state behind a {@link DeltaDecoder}: `decode` is what it does, `read` the same without
 * {@link Previous} (every line read in full; for the benchmark of stages).
 *
 * @internal
 */
export class DeltaLineDecoder {
  readonly sessions = new Repeated()
  readonly messages = new Repeated()
  readonly previous = new Previous()
  // Where the last line read in full has its strings (their quotes).
  textOpen = 0
  textClose = 0
  uuidOpen = 0
  uuidClose = 0
  /** The lines in a row on which the comparison with {@link Previous} failed. */
  misses = 0

  decode(bytes: Buffer, view: DataView, start: number, end: number): ClaudeEvent.StreamEvent | undefined {
    const same = this.previous
    const prefix = same.prefix
    if (prefix > 0 && start + prefix <= end && equalAt(bytes, view, start, same.bytes, same.view, 0, prefix)) {
      const textOpen = start + prefix - 1
      const textClose = closeQuote(bytes, view, textOpen, end)
      const middle = same.middle
      if (
        textClose >= 0 && textClose + middle <= end &&
        equalAt(bytes, view, textClose, same.bytes, same.view, prefix, middle)
      ) {
        const text = stringAt(bytes, textOpen, textClose)
        const uuidOpen = textClose + middle - 1
        const uuidClose = closeQuote(bytes, view, uuidOpen, end)
        const suffix = same.suffix
        if (
          text !== undefined && uuidClose >= 0 && uuidClose + suffix === end &&
          equalAt(bytes, view, uuidClose, same.bytes, same.view, prefix + middle, suffix)
        ) {
          const uuid = stringAt(bytes, uuidOpen, uuidClose)
          if (uuid !== undefined) {
            this.misses = 0
            return ClaudeEvent.makeDeltaEvent(
              same.index,
              ClaudeEvent.makeWireDelta(same.kind.type, same.kind.field, text),
              same.parent,
              same.session_id,
              uuid,
              same.api_message_id,
              undefined,
              undefined
            )
          }
        }
      }
    }
    return this.full(bytes, view, start, end)
  }

  /** Reads the line in full, and keeps it as {@link Previous} when it is taken (and due). */
  full(bytes: Buffer, view: DataView, start: number, end: number): ClaudeEvent.StreamEvent | undefined {
    const event = this.read(bytes, view, start, end)
    if (event === undefined) return undefined // the line before stays the one to compare with
    const same = this.previous
    if (same.prefix > 0 && ++this.misses < 2) return event
    this.misses = 0
    const prefix = this.textOpen + 1 - start
    const middle = this.uuidOpen + 1 - this.textClose
    const suffix = end - this.uuidClose
    const length = prefix + middle + suffix
    if (length > PREVIOUS_MAX_BYTES) {
      same.prefix = 0
      return event
    }
    if (same.bytes.length < length) {
      same.bytes = Buffer.alloc(Math.max(length, 2 * same.bytes.length, 256))
      same.view = new DataView(same.bytes.buffer, same.bytes.byteOffset, same.bytes.byteLength)
    }
    bytes.copy(same.bytes, 0, start, this.textOpen + 1)
    bytes.copy(same.bytes, prefix, this.textClose, this.uuidOpen + 1)
    bytes.copy(same.bytes, prefix + middle, this.uuidClose, end)
    same.prefix = prefix
    same.middle = middle
    same.suffix = suffix
    const inner = event.event as { readonly index: number; readonly delta: { readonly type: unknown } }
    same.index = inner.index
    same.kind = KINDS.find((kind) => kind.type === inner.delta.type)!
    same.parent = event.parent_tool_use_id
    same.session_id = event.session_id
    same.api_message_id = event.api_message_id
    return event
  }

  /** Reads the line against the CLI's layout, every byte. */
  read(bytes: Buffer, view: DataView, start: number, end: number): ClaudeEvent.StreamEvent | undefined {
    let i = match(bytes, view, start, end, HEAD)
    if (i < 0) return undefined
    // the index: a JSON integer (no sign, fraction or exponent: those go the general way)
    const digits = i
    let index = 0
    while (i < end) {
      const c = bytes[i]!
      if (c < ZERO || c > NINE) break
      index = index * 10 + (c - ZERO)
      i++
    }
    if (i === digits || i - digits > 15 || (bytes[digits] === ZERO && i - digits > 1)) return undefined
    i = match(bytes, view, i, end, DELTA)
    if (i < 0) return undefined
    let kind = KINDS[0]! // text_delta, nearly every line (the first of deltaFields)
    let next = match(bytes, view, i, end, kind.literal)
    for (let k = 1; next < 0 && k < KINDS.length; k++) {
      kind = KINDS[k]!
      next = match(bytes, view, i, end, kind.literal)
    }
    let close = closeQuote(bytes, view, next, end)
    if (close < 0) return undefined
    this.textOpen = next
    this.textClose = close
    const value = stringAt(bytes, next, close)
    if (value === undefined) return undefined
    i = match(bytes, view, close + 1, end, SESSION)
    close = closeQuote(bytes, view, i, end)
    if (close < 0) return undefined
    const session_id = this.sessions.get(bytes, view, i, close)
    if (session_id === undefined) return undefined
    i = match(bytes, view, close + 1, end, PARENT)
    if (i < 0) return undefined
    let parent: string | null | undefined
    if (
      i + 4 <= end && bytes[i] === 0x6e && bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c
    ) {
      parent = null
      i += 4
    } else {
      close = closeQuote(bytes, view, i, end)
      if (close < 0) return undefined
      parent = stringAt(bytes, i, close)
      if (parent === undefined) return undefined
      i = close + 1
    }
    i = match(bytes, view, i, end, UUID)
    close = closeQuote(bytes, view, i, end)
    if (close < 0) return undefined
    this.uuidOpen = i
    this.uuidClose = close
    const uuid = stringAt(bytes, i, close)
    if (uuid === undefined) return undefined
    i = close + 1
    let api_message_id: string | undefined
    if (i < end && bytes[i] !== CLOSE) {
      i = match(bytes, view, i, end, MESSAGE)
      close = closeQuote(bytes, view, i, end)
      if (close < 0) return undefined
      api_message_id = this.messages.get(bytes, view, i, close)
      if (api_message_id === undefined) return undefined
      i = close + 1
    }
    if (i !== end - 1 || bytes[i] !== CLOSE) return undefined
    return ClaudeEvent.makeDeltaEvent(
      index,
      ClaudeEvent.makeWireDelta(kind.type, kind.field, value),
      parent,
      session_id,
      uuid,
      api_message_id,
      undefined,
      undefined
    )
  }
}
