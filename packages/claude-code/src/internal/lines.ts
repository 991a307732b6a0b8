/**
 * Text chunks -> lines, for the CLI's one-JSON-object-per-line output.
 *
 * - splits on `\n` only (never on `\r` alone, U+2028 or U+2029, which Node's `readline` splits on);
 * - removes every `\r` (a pseudo-terminal ends lines with `\r\n`; raw `\r` cannot occur inside a JSON
 *   string, so removing it never changes a JSON line);
 * - removes terminal escape sequences (CSI `ESC [ ... final`, OSC/DCS/SOS/PM/APC strings ended by BEL
 *   or `ESC \`, and the short `ESC x` / `ESC ( B` forms), e.g. the `ESC [?25h` a CLI writes after its
 *   last line inside a terminal; raw ESC cannot occur inside a JSON string either;
 * - skips blank lines;
 * - emits a last line that has no trailing `\n` when the input ends.
 *
 * Cleaning runs on whole lines, after splitting, so where the chunks are cut (inside an escape
 * sequence, between `\r` and `\n`, inside a multi-unit character) never changes the output. Work per
 * chunk is linear in the chunk: the parts of an unfinished line are kept in an array and joined once
 * when its `\n` arrives, so a line of tens of megabytes is never re-scanned.
 *
 * @internal
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import type * as Stream from "effect/Stream"
import { pipeThroughChannel } from "effect/Stream"

const ESC = 0x1b
const BEL = 0x07

/**
 * A stateful splitter: feed chunks with `push`, finish with `end`.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export interface LineSplitter {
  /** Feeds one chunk; complete, cleaned, non-blank lines are appended to `out`. */
  readonly push: (chunk: string, out: Array<string>) => void
  /** Ends the input: the unfinished last line, if any, is cleaned and appended to `out`. */
  readonly end: (out: Array<string>) => void
}

/**
 * A stateful splitter: the pure, allocation-light core used by {@link splitLines} and benchmarks.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const makeLineSplitter = (): LineSplitter => {
  let pending: Array<string> = []
  const push = (chunk: string, out: Array<string>): void => {
    let from = 0
    let nl = chunk.indexOf("\n")
    while (nl !== -1) {
      let raw: string
      if (pending.length === 0) {
        raw = chunk.slice(from, nl)
      } else {
        pending.push(chunk.slice(from, nl))
        raw = pending.join("")
        pending = []
      }
      emit(raw, out)
      from = nl + 1
      nl = chunk.indexOf("\n", from)
    }
    if (from < chunk.length) {
      pending.push(from === 0 ? chunk : chunk.slice(from))
    }
  }
  const end = (out: Array<string>): void => {
    if (pending.length > 0) {
      const raw = pending.length === 1 ? pending[0]! : pending.join("")
      pending = []
      emit(raw, out)
    }
  }
  return { push, end }
}

const emit = <A>(raw: string, out: Array<string | A>): void => {
  const line = cleanLine(raw)
  if (line.length > 0 && !isBlank(line)) {
    out.push(line)
  }
}

const isBlank = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0c && c !== 0x0b) return false
  }
  return true
}

/**
 * Removes `\r` and terminal escape sequences from one line (without its `\n`).
 *
 * @since 0.1.0
 * @category utils
 * @internal
 */
export const cleanLine = (raw: string): string => {
  let nextCr = raw.indexOf("\r")
  let nextEsc = raw.indexOf("\x1b")
  if (nextEsc === -1) {
    if (nextCr === -1) return raw
    if (nextCr === raw.length - 1) return raw.slice(0, nextCr)
  }
  // Slow path: copy the parts between the characters to drop, jumping with indexOf so a long line
  // with a single `\r` at its end is scanned twice at native speed, not char by char.
  const parts: Array<string> = []
  let start = 0
  const n = raw.length
  while (nextCr !== -1 || nextEsc !== -1) {
    if (nextEsc === -1 || (nextCr !== -1 && nextCr < nextEsc)) {
      parts.push(raw.slice(start, nextCr))
      start = nextCr + 1
    } else {
      parts.push(raw.slice(start, nextEsc))
      start = skipEscape(raw, nextEsc, n)
    }
    if (nextCr !== -1 && nextCr < start) nextCr = raw.indexOf("\r", start)
    if (nextEsc !== -1 && nextEsc < start) nextEsc = raw.indexOf("\x1b", start)
  }
  if (start < n) parts.push(raw.slice(start))
  return parts.join("")
}

/** Returns the index just past the escape sequence that starts with the ESC at `i`. */
const skipEscape = (s: string, i: number, n: number): number => {
  if (i + 1 >= n) return n
  const next = s.charCodeAt(i + 1)
  if (next === 0x5b /* [ : CSI */) {
    let j = i + 2
    // parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F
    while (j < n) {
      const c = s.charCodeAt(j)
      if (c < 0x20 || c > 0x3f) break
      j++
    }
    if (j < n) {
      const c = s.charCodeAt(j)
      if (c >= 0x40 && c <= 0x7e) return j + 1 // final byte
    }
    return j // malformed: drop what was consumed, keep the rest
  }
  if (
    next === 0x5d /* ] OSC */ || next === 0x50 /* P DCS */ || next === 0x58 /* X SOS */ ||
    next === 0x5e /* ^ PM */ || next === 0x5f /* _ APC */
  ) {
    // a control string, ended by BEL or ST (ESC \); unterminated: drop the rest of the line
    for (let j = i + 2; j < n; j++) {
      const c = s.charCodeAt(j)
      if (c === BEL) return j + 1
      if (c === ESC) return j + 1 < n && s.charCodeAt(j + 1) === 0x5c ? j + 2 : j + 1
    }
    return n
  }
  if (next >= 0x20 && next <= 0x2f) {
    // nF: ESC, intermediate bytes, then one final byte (e.g. ESC ( B)
    let j = i + 2
    while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++
    return j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x7e ? j + 1 : j
  }
  if (next >= 0x30 && next <= 0x7e) return i + 2 // two-character sequence (ESC 7, ESC =, ESC M, ...)
  return i + 1 // a lone ESC
}

/**
 * A stateful splitter over bytes: feed chunks of output with `push`, finish with `end`.
 *
 * @since 0.2.0
 * @category models
 * @internal
 */
export interface ByteLineSplitter<A = never> {
  /**
   * Feeds one chunk of bytes; complete, cleaned, non-blank lines (or what `fast` made of them) are
   * appended to `out`.
   */
  readonly push: (bytes: Uint8Array, out: Array<string | A>) => void
  /** Ends the input: the unfinished last line, if any, is decoded, cleaned and appended to `out`. */
  readonly end: (out: Array<string | A>) => void
}

const LF = 0x0a
const CR = 0x0d

/**
 * The same lines as {@link makeLineSplitter} gives for the output decoded as one UTF-8 text (with
 * `TextDecoder`'s results: invalid bytes become U+FFFD, a byte order mark at the very start is
 * dropped), but split on the byte `\n` first and each line decoded on its own. `\n` never occurs
 * inside a multi-byte character, so the lines are the same however the bytes were cut; and decoding
 * line by line keeps every line that is plain ASCII a one-byte string. (Decoding whole reads first,
 * one non-ASCII character makes the whole 64 KiB read a two-byte string of 128 KiB: V8 puts that in
 * large-object space, which only a full collection frees, and every line cut from it is two-byte
 * too, slower to parse.) The bytes of an unfinished line are copied (the caller may reuse its
 * buffers) and joined once, when its `\n` arrives.
 *
 * `fast`, when given, sees each line's bytes first (without its `\n` or a final `\r`, with a
 * `DataView` over the same bytes); what it returns is appended instead of the line's text, and when
 * it returns `undefined` the line is decoded and cleaned as above. It must only take lines whose
 * text that cleaning leaves unchanged.
 *
 * @since 0.2.0
 * @category constructors
 * @internal
 */
export const makeByteLineSplitter = <A = never>(
  fast?: (bytes: Buffer, view: DataView, start: number, end: number) => A | undefined
): ByteLineSplitter<A> => {
  let pending: Array<Buffer> = []
  let first = true
  /** A `DataView` over `bytes` for `fast` (none without it). */
  const viewOf = (bytes: Buffer): DataView | undefined => fast === undefined ? undefined : dataView(bytes)
  const line = (bytes: Buffer, view: DataView | undefined, start: number, end: number, out: Array<string | A>) => {
    if (end > start && bytes[end - 1] === CR) end-- // a terminal's \r\n, without a copy
    if (view !== undefined) {
      const made = fast!(bytes, view, start, end)
      if (made !== undefined) {
        first = false
        out.push(made)
        return
      }
    }
    let raw = end > start ? bytes.toString("utf8", start, end) : ""
    if (first) {
      first = false
      if (raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1)
    }
    if (raw.length > 0) emit(raw, out)
  }
  const push = (input: Uint8Array, out: Array<string | A>): void => {
    const bytes = toBuffer(input)
    let from = 0
    let nl = bytes.indexOf(LF)
    const view = nl === -1 ? undefined : viewOf(bytes)
    while (nl !== -1) {
      if (pending.length === 0) {
        line(bytes, view, from, nl, out)
      } else {
        pending.push(bytes.subarray(from, nl))
        const joined = Buffer.concat(pending)
        pending = []
        line(joined, viewOf(joined), 0, joined.length, out)
      }
      from = nl + 1
      nl = bytes.indexOf(LF, from)
    }
    if (from < bytes.length) pending.push(Buffer.from(bytes.subarray(from)))
  }
  const end = (out: Array<string | A>): void => {
    if (pending.length > 0) {
      const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
      pending = []
      line(joined, viewOf(joined), 0, joined.length, out)
    }
  }
  return { push, end }
}

/**
 * Splits whole input given as chunks (tests, benchmarks).
 *
 * @since 0.1.0
 * @category utils
 * @internal
 */
export const splitAll = (chunks: Iterable<string>): Array<string> => {
  const splitter = makeLineSplitter()
  const out: Array<string> = []
  for (const chunk of chunks) splitter.push(chunk, out)
  splitter.end(out)
  return out
}

/**
 * A stream operator from a stateful transducer made per stream: `push` turns each input element
 * into zero or more outputs, `end` flushes what it holds back once the input ends. One pass and
 * at most one output chunk per input chunk.
 */
const transduce = <I, O>(
  make: () => { readonly push: (input: I, out: Array<O>) => void; readonly end: (out: Array<O>) => void }
) =>
<E, R>(self: Stream.Stream<I, E, R>): Stream.Stream<O, E, R> =>
  pipeThroughChannel(
    self,
    Channel.suspend(() => {
      const transducer = make()
      const loop: Channel.Channel<Chunk.Chunk<O>, Chunk.Chunk<I>, E, E, unknown, unknown> = Channel.readWithCause({
        onInput: (input: Chunk.Chunk<I>) => {
          const out: Array<O> = []
          for (const element of input) transducer.push(element, out)
          return out.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
        },
        onFailure: (cause) => Channel.failCause(cause),
        onDone: () => {
          const out: Array<O> = []
          transducer.end(out)
          return out.length === 0 ? Channel.void : Channel.write(Chunk.unsafeFromArray(out))
        }
      })
      return loop
    })
  )

/**
 * Stream operator: text chunks in, cleaned non-blank lines out (see the module comment).
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const splitLines: <E, R>(self: Stream.Stream<string, E, R>) => Stream.Stream<string, E, R> = transduce(
  makeLineSplitter
)

/**
 * Stream operator: bytes in, cleaned non-blank lines out, each line decoded as UTF-8 on its own
 * (see {@link makeByteLineSplitter}).
 *
 * @since 0.2.0
 * @category combinators
 * @internal
 */
export const splitLineBytes: <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<string, E, R> = transduce(
  makeByteLineSplitter
)

/**
 * Streaming UTF-8 decoding with exactly `TextDecoder`'s results (WHATWG: each maximal invalid
 * subpart becomes one U+FFFD; a leading byte order mark is dropped), however the bytes are cut
 * into chunks, but through `Buffer#toString`, which is about four times faster than `TextDecoder` on Node 20 (and
 * `StringDecoder` replaces invalid bytes differently when they straddle chunks). Only a valid but
 * incomplete character at the end of a chunk is held back for the next one; `end` turns one left
 * at the very end into U+FFFD.
 *
 * @internal
 */
export interface Utf8Decoder {
  readonly write: (bytes: Uint8Array) => string
  readonly end: () => string
}

/** @internal */
export const makeUtf8Decoder = (): Utf8Decoder => {
  let held: Uint8Array | undefined
  let started = false
  // Like TextDecoder, a byte order mark at the very start is not text.
  const text = (bytes: Uint8Array): string => {
    const decoded = toBuffer(bytes).toString("utf8")
    if (started || decoded.length === 0) return decoded
    started = true
    return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded
  }
  return {
    write: (input) => {
      let bytes = held === undefined ? input : Buffer.concat([held, input])
      held = undefined
      const cut = incompleteTail(bytes)
      if (cut < bytes.length) {
        held = new Uint8Array(bytes.subarray(cut)) // a copy: the caller may reuse its buffer
        bytes = bytes.subarray(0, cut)
      }
      return text(bytes)
    },
    end: () => {
      if (held === undefined) return ""
      const rest = text(held)
      held = undefined
      return rest
    }
  }
}

const dataView = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Where a valid but unfinished multi-byte character starts at the end of `bytes` (its length when
 * there is none): a lead byte in the last three bytes, followed only by bytes that can continue it
 * (with the narrower second-byte ranges of E0, ED, F0 and F4), and fewer of them than it needs.
 */
const incompleteTail = (bytes: Uint8Array): number => {
  const n = bytes.length
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i]!
    if ((b & 0xc0) === 0x80) continue // a continuation byte: look further back for its lead
    const need = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (need === 0 || n - i >= need) return n // not a lead byte, or its character is complete
    if (n - i >= 2) {
      const second = bytes[i + 1]!
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf
      if (second < lo || second > hi) return n
    }
    // the bytes after `i` are continuation bytes (checked above by the loop), so it is unfinished
    return i
  }
  return n
}

/**
 * Stream operator: bytes in, text out, as streaming UTF-8 (invalid bytes become U+FFFD, a character
 * cut between chunks is decoded whole). Unlike `Stream.decodeText`, which never flushes its decoder,
 * the end of the input flushes it: an incomplete character at the very end becomes U+FFFD instead of
 * vanishing, so a truncated last line made only of such bytes is not lost.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const decodeUtf8: <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<string, E, R> = transduce(
  () => {
    const decoder = makeUtf8Decoder()
    return {
      push: (bytes: Uint8Array, out: Array<string>) => {
        const text = decoder.write(bytes)
        if (text.length > 0) out.push(text)
      },
      end: (out: Array<string>) => {
        const rest = decoder.end()
        if (rest.length > 0) out.push(rest)
      }
    }
  }
)
