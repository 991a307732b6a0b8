/**
 * Property tests with a seeded generator (no dependency): random byte streams (invalid UTF-8, NUL,
 * terminal escape sequences inside and between lines, lone `\r`, JSON that is not an object, known
 * types with wrong-shaped fields, unknown types) and mutations of the recorded transcripts, cut
 * into random chunks and grouped into random stream chunks, through the decoding core
 * (UTF-8 -> `splitLines` -> `ClaudeEvent.decodeLines` -> `ClaudeResult.fold`) and, for a few seeds,
 * through the fake CLI on both transports.
 *
 * Every case is compared with an oracle that decodes the whole input at once (`TextDecoder`
 * without streaming, split on `\n`, then the per-line functions): no defect may escape, the
 * chunking must never change a single decoded item, the error or the fold, and no line may be
 * dropped (each non-blank line is one event or diagnostic, or the DecodeError that names it).
 *
 * A failure prints the seed; rerun one with FUZZ_SEED=<seed>.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import { cleanLine, decodeUtf8, splitLineBytes, splitLines } from "../src/internal/lines.js"
import { fakeClaude, quickShutdown, transports } from "./utils/claudeTest.js"
import { ndjsonFixtures, prng, ptyFixtures } from "./utils/fixtures.js"

type Rng = () => number

const int = (rng: Rng, n: number) => Math.floor(rng() * n)
const pick = <A>(rng: Rng, xs: ReadonlyArray<A>): A => xs[int(rng, xs.length)]!

const encoder = new TextEncoder()
const utf8 = (text: string) => encoder.encode(text)

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const fixtureLines: ReadonlyArray<string> = ndjsonFixtures().flatMap((fixture) => fixture.lines)

// -----------------------------------------------------------------------------
// Generators
// -----------------------------------------------------------------------------

const invalidUtf8: ReadonlyArray<ReadonlyArray<number>> = [
  [0x80], // lone continuation byte
  [0xbf, 0x80],
  [0xc0, 0xaf], // overlong "/"
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // an encoded UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xff],
  [0xfe, 0xff],
  [0xe2, 0x82], // truncated "€"
  [0xf0, 0x9f, 0x98], // truncated "😀"
  [0xc3] // truncated "é"
]

const escapes: ReadonlyArray<string> = [
  "\x1b[?25h",
  "\x1b[?25l",
  "\x1b[0m",
  "\x1b[1;31m",
  "\x1b[12;3H",
  "\x1b[K",
  "\x1b]0;title\x07",
  "\x1b]8;;http://x\x1b\\",
  "\x1b7",
  "\x1b8",
  "\x1b(B",
  "\x1bP1$r\x1b\\",
  "\x1b", // lone ESC
  "\x1b[12", // unfinished CSI
  "\x1b]unterminated"
]

/** Lines the CLI could write, or a broken or hostile one could. */
const oddLines: ReadonlyArray<string> = [
  "[1,2,3]",
  "\"just a string\"",
  "42",
  "null",
  "true",
  "{}",
  "{\"type\":\"brand_new_event\",\"payload\":{\"x\":[1,2]}}",
  "{\"no_type\":true}",
  "{\"type\":5}",
  "{\"type\":null}",
  "{\"type\":{\"toString\":1}}",
  "{\"type\":[\"result\"]}",
  "{\"__proto__\":{\"type\":\"result\"}}",
  "{\"type\":\"x\",\"__proto__\":{\"toString\":1}}",
  "{\"type\":\"system\"}",
  "{\"type\":\"system\",\"subtype\":{\"a\":1}}",
  "{\"type\":\"system\",\"subtype\":\"brand_new\",\"x\":1}",
  "{\"type\":\"system\",\"subtype\":\"init\"}",
  "{\"type\":\"result\",\"subtype\":\"success\",\"session_id\":42}",
  "{\"type\":\"result\"}",
  "{\"type\":\"assistant\",\"message\":\"not an object\"}",
  "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\"}]}}",
  "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":7}}",
  "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"new_delta\"}}}",
  "{\"type\":\"stream_event\",\"event\":null}",
  "{\"type\":\"rate_limit_event\",\"rate_limit_info\":[]}",
  "{\"type\":\"x\",\"n\":1e999,\"m\":-0,\"s\":\"\\ud800\"}",
  // (deeper nesting: see its own test; the deep comparisons of this test would overflow)
  `{"type":"x","deep":${"[".repeat(300)}${"]".repeat(300)}}`,
  "{\"type\":\"x\"} trailing",
  "{ \"type\" : \"x\" ,",
  "error: unknown option '--x'",
  "\u2028{\"type\":\"x\"}\u2029"
]

/** A random JSON value of a different type than `value`. */
const otherType = (rng: Rng, value: unknown): unknown => {
  const candidates: ReadonlyArray<unknown> = [null, true, 0, -1.5, "", "text", [], [1, "a"], {}, { a: null }]
  for (;;) {
    const candidate = pick(rng, candidates)
    if (typeof candidate !== typeof value || Array.isArray(candidate) !== Array.isArray(value)) return candidate
  }
}

/** The objects and arrays of a JSON value, with the value itself first. */
const containers = (value: unknown, out: Array<Record<string, unknown> | Array<unknown>> = []) => {
  if (value !== null && typeof value === "object") {
    out.push(value as Record<string, unknown>)
    for (const child of Object.values(value)) containers(child, out)
  }
  return out
}

/** One structural mutation somewhere inside a parsed line (drop, swap, change the type of a value). */
const mutateValue = (rng: Rng, root: unknown): void => {
  const target = pick(rng, containers(root))
  const keys = Object.keys(target)
  if (keys.length === 0) return
  const key = pick(rng, keys)
  const object = target as Record<string, unknown>
  switch (int(rng, 3)) {
    case 0: // drop a key (or an array element)
      if (Array.isArray(target)) target.splice(Number(key), 1)
      else delete object[key]
      break
    case 1: { // swap the values of two keys
      const other = pick(rng, keys)
      const value = object[key]
      object[key] = object[other]
      object[other] = value
      break
    }
    default: // change a value's type
      object[key] = otherType(rng, object[key])
  }
}

/** A recorded line, mutated at the JSON level and/or the text level. */
const mutateLine = (rng: Rng, line: string): string => {
  let text = line
  const json = JSON.parse(line) as Record<string, unknown>
  const structural = int(rng, 3)
  for (let i = 0; i < structural; i++) mutateValue(rng, json)
  if (structural > 0) text = JSON.stringify(json)
  switch (int(rng, 8)) {
    case 0: // truncated
      return text.slice(0, int(rng, text.length))
    case 1: // a duplicate key after the original (JSON.parse keeps the last)
      return `${text.slice(0, -1)},"type":${JSON.stringify(pick(rng, ["assistant", "result", "system", "nope"]))}}`
    case 2: // a duplicate key before the original
      return `{"type":"result",${text.slice(1)}`
    case 3: { // an escape sequence or a \r somewhere (between or inside tokens)
      const at = int(rng, text.length + 1)
      return text.slice(0, at) + pick(rng, [...escapes, "\r"]) + text.slice(at)
    }
    default:
      return text
  }
}

/** One piece of a random byte stream. */
const piece = (rng: Rng): Uint8Array => {
  switch (int(rng, 14)) {
    case 0: {
      const bytes = new Uint8Array(1 + int(rng, 16))
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(rng, 256)
      return bytes
    }
    case 1:
      return Uint8Array.from(pick(rng, invalidUtf8))
    case 2:
      return utf8(pick(rng, ["€", "😀", "é", "日本", "\u2028", "\u2029", "\ufeff", "\ufffd"]))
    case 3:
      return Uint8Array.from([0])
    case 4:
      return utf8(pick(rng, escapes))
    case 5:
      return utf8(pick(rng, ["\r", "\r\n", "\n", "\n\n", "  \t\n", "\r\r\n", "\n\r"]))
    case 6:
      return utf8(pick(rng, ["{", "}", "\"type\":", "\"result\"", ",", "[", "\"", "\\"]))
    case 7:
    case 8:
      return utf8(pick(rng, fixtureLines) + "\n")
    case 9:
    case 10:
      return utf8(mutateLine(rng, pick(rng, fixtureLines)) + "\n")
    case 11:
      return utf8(pick(rng, oddLines) + pick(rng, ["\n", "\r\n", ""]))
    case 12: { // invalid UTF-8 inside a JSON string of a recorded line
      const line = utf8(pick(rng, fixtureLines))
      const at = line.indexOf(0x3a /* : */) + 2
      return concat([line.subarray(0, at), Uint8Array.from(pick(rng, invalidUtf8)), line.subarray(at), utf8("\n")])
    }
    default:
      return utf8(`${pick(rng, escapes)}${pick(rng, fixtureLines)}${pick(rng, escapes)}\r\n`)
  }
}

/** A random byte stream of up to `pieces` pieces. */
const randomStream = (rng: Rng, pieces: number): Uint8Array =>
  concat(Array.from({ length: 1 + int(rng, pieces) }, () => piece(rng)))

/** A recorded transcript with some lines mutated and some garbage between lines. */
const mutatedTranscript = (rng: Rng): Uint8Array => {
  const lines = pick(rng, ndjsonFixtures()).lines
  const parts: Array<Uint8Array> = []
  for (const line of lines) {
    if (rng() < 0.1) parts.push(piece(rng))
    parts.push(utf8((rng() < 0.2 ? mutateLine(rng, line) : line) + (rng() < 0.1 ? "\r\n" : "\n")))
  }
  if (rng() < 0.3) parts.push(utf8(mutateLine(rng, pick(rng, lines)).slice(0, 40))) // a truncated final line
  return concat(parts)
}

/** `bytes` cut into 1..maxChunk-byte pieces (some empty), grouped into stream chunks of random sizes. */
const randomChunking = (rng: Rng, bytes: Uint8Array, maxChunk: number): Array<Array<Uint8Array>> => {
  const pieces: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length;) {
    if (rng() < 0.05) pieces.push(new Uint8Array(0))
    const size = 1 + int(rng, maxChunk)
    pieces.push(bytes.subarray(i, i + size))
    i += size
  }
  const groups: Array<Array<Uint8Array>> = []
  for (let i = 0; i < pieces.length;) {
    const size = 1 + int(rng, 8)
    groups.push(pieces.slice(i, i + size))
    i += size
  }
  return groups
}

// -----------------------------------------------------------------------------
// The oracle and the pipeline
// -----------------------------------------------------------------------------

interface Outcome {
  readonly items: ReadonlyArray<ClaudeEvent.Decoded>
  readonly error: { readonly lineNumber: number; readonly line: string; readonly issue: string } | undefined
}

const errorFields = (error: ClaudeError.DecodeError) => ({
  lineNumber: error.lineNumber,
  line: error.line,
  issue: error.issue
})

/** The whole input decoded at once: the reference every chunking must reproduce. */
const oracle = (bytes: Uint8Array): Outcome => {
  const text = new TextDecoder().decode(bytes)
  const items: Array<ClaudeEvent.Decoded> = []
  let lineNumber = 0
  for (const raw of text.split("\n")) {
    const line = cleanLine(raw)
    if (/^[\x20\t\f\v]*$/.test(line)) continue // blank
    const decoded = ClaudeEvent.decodeLine(line, ++lineNumber)
    if (Either.isLeft(decoded)) return { items, error: errorFields(decoded.left) }
    items.push(decoded.right)
  }
  return { items, error: undefined }
}

/** Bytes to lines as the runs do it (split on the byte `\n`, each line decoded on its own). */
const decoded = (groups: ReadonlyArray<ReadonlyArray<Uint8Array>>) =>
  Stream.fromChunks(...groups.map((group) => Chunk.unsafeFromArray(group))).pipe(
    splitLineBytes,
    ClaudeEvent.decodeLines
  )

/** Bytes to text to lines (the streaming decoder, as stderr is read). */
const decodedAsText = (groups: ReadonlyArray<ReadonlyArray<Uint8Array>>) =>
  Stream.fromChunks(...groups.map((group) => Chunk.unsafeFromArray(group))).pipe(
    decodeUtf8,
    splitLines,
    ClaudeEvent.decodeLines
  )

/**
 * Runs both pipelines, which must agree; a defect (or anything but a DecodeError) fails the test.
 */
const pipeline = (groups: ReadonlyArray<ReadonlyArray<Uint8Array>>, context: string): Outcome => {
  const outcome = pipelineOf(decoded(groups), context)
  assert.deepStrictEqual(pipelineOf(decodedAsText(groups), context), outcome, `${context}: decoded as text first`)
  return outcome
}

const pipelineOf = (
  stream: Stream.Stream<ClaudeEvent.Decoded, ClaudeError.DecodeError>,
  context: string
): Outcome => {
  const exit = Effect.runSyncExit(Stream.runCollect(Stream.either(stream)))
  if (Exit.isFailure(exit)) assert.fail(`${context}: a defect escaped: ${Cause.pretty(exit.cause)}`)
  const all = Chunk.toReadonlyArray(exit.value)
  const items: Array<ClaudeEvent.Decoded> = []
  let error: Outcome["error"]
  for (const item of all) {
    if (Either.isRight(item)) items.push(item.right)
    else {
      assert.strictEqual(item.left._tag, "DecodeError", context)
      error = errorFields(item.left)
    }
  }
  return { items, error }
}

/** The fold through the pipeline, as a comparable value. */
const foldOf = (groups: ReadonlyArray<ReadonlyArray<Uint8Array>>, context: string) => {
  const exit = Effect.runSyncExit(ClaudeResult.fold(decoded(groups)))
  if (Exit.isSuccess(exit)) return { result: exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") assert.fail(`${context}: a defect escaped the fold: ${Cause.pretty(exit.cause)}`)
  return { error: errorFields(failure.value) }
}

/** Checks `bytes` under several chunkings against the oracle; returns the oracle's outcome. */
const check = (bytes: Uint8Array, rng: Rng, context: string, chunkings = 3): Outcome => {
  let expected: Outcome
  try {
    expected = oracle(bytes)
  } catch (error) {
    return assert.fail(`${context}: the per-line functions threw: ${String(error)}`)
  }
  const whole = [[bytes]]
  const cuts: Array<Array<Array<Uint8Array>>> = [whole]
  if (bytes.length <= 400) cuts.push([Array.from(bytes, (byte) => Uint8Array.of(byte))]) // byte by byte
  for (let i = 0; i < chunkings; i++) cuts.push(randomChunking(rng, bytes, pick(rng, [2, 7, 64, 4096])))

  const expectedFold = Effect.runSync(ClaudeResult.fold(Stream.fromIterable(expected.items)))
  for (const [i, groups] of cuts.entries()) {
    const where = `${context}, chunking ${i}`
    const actual = pipeline(groups, where)
    assert.deepStrictEqual(actual.error, expected.error, where)
    assert.strictEqual(actual.items.length, expected.items.length, where)
    assert.deepStrictEqual(actual.items, expected.items, where)
    const fold = foldOf(groups, where)
    if (expected.error === undefined) assert.deepStrictEqual(fold, { result: expectedFold }, where)
    else assert.deepStrictEqual(fold, { error: expected.error }, where)
  }
  return expected
}

const only = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
const seeds = (count: number, base: number) =>
  only !== undefined ? [only] : Array.from({ length: count }, (_, i) => base + i)

// -----------------------------------------------------------------------------
// Properties of the decoding core
// -----------------------------------------------------------------------------

describe("fuzz: the decoding core", () => {
  it("random byte streams: no defect, chunking changes nothing, no line dropped", () => {
    const seen = { errors: 0, diagnostics: 0, unknown: 0, events: 0 }
    for (const seed of seeds(300, 1)) {
      const rng = prng(seed)
      const outcome = check(randomStream(rng, 24), rng, `seed ${seed}`)
      if (outcome.error !== undefined) seen.errors++
      for (const item of outcome.items) {
        if (item._tag === "Diagnostic") seen.diagnostics++
        else if (item._tag === "Unknown" || item._tag === "SystemOther") seen.unknown++
        else seen.events++
      }
    }
    // the generator reaches every outcome
    if (only === undefined) {
      for (const [what, count] of Object.entries(seen)) assert.isAbove(count, 20, `${what}: ${JSON.stringify(seen)}`)
    }
  })

  it("mutated transcripts: no defect, chunking changes nothing, no line dropped", () => {
    for (const seed of seeds(200, 10_000)) {
      const rng = prng(seed)
      check(mutatedTranscript(rng), rng, `seed ${seed}`)
    }
  })

  it("each recorded transcript folds to the same result however it is chunked", () => {
    const transcripts = [
      ...ndjsonFixtures().map((fixture) => [fixture.name, utf8(fixture.text)] as const),
      ...ptyFixtures().map((fixture) => [`pty/${fixture.name}`, fixture.bytes] as const)
    ]
    for (const [name, bytes] of transcripts) {
      const rng = prng(name.length * 7919)
      const outcome = check(bytes, rng, name, 20)
      assert.isUndefined(outcome.error, name)
    }
  })

  it("JSON nested 100000 deep, unknown or in a known field: an event or a DecodeError, in any chunking", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    const lines = [`{"type":"x","deep":${deep}}`, `{"type":"result","usage":${deep}}`]
    const bytes = utf8(lines.join("\n") + "\n")
    for (const groups of [[[bytes]], randomChunking(prng(1), bytes, 4096)]) {
      const exit = Effect.runSyncExit(Stream.runCollect(Stream.either(decoded(groups))))
      assert(Exit.isSuccess(exit), "no defect")
      const [first, second] = Chunk.toReadonlyArray(exit.value)
      assert(first !== undefined && Either.isRight(first) && first.right._tag === "Unknown")
      assert(second !== undefined && Either.isLeft(second) && second.left._tag === "DecodeError")
      assert.strictEqual(second.left.lineNumber, 2)
    }
  })

  it("a truncated multi-byte character at the very end is a diagnostic line, not lost", () => {
    for (const tail of invalidUtf8) {
      const bytes = concat([utf8(fixtureLines[0]! + "\n"), Uint8Array.from(tail)])
      const outcome = check(bytes, prng(tail.length), JSON.stringify(tail))
      assert.strictEqual(outcome.items.length, 2)
      assert.strictEqual(outcome.items[1]!._tag, "Diagnostic")
    }
  })
})

// -----------------------------------------------------------------------------
// The same through the fake CLI and the runner
// -----------------------------------------------------------------------------

/** What a run of `bytes` must give: the events up to the first result, and how it ends. */
const expectedRun = (bytes: Uint8Array) => {
  const { error, items } = oracle(bytes)
  const events: Array<ClaudeEvent.ClaudeEvent> = []
  for (const item of items) {
    if (item._tag === "Diagnostic") continue
    events.push(item)
    if (item._tag === "Result") {
      const result = Effect.runSync(ClaudeResult.fold(Stream.fromIterable(events)))
      return { events, end: ClaudeResult.isFailure(result) ? "ClaudeFailure" : "success" } as const
    }
  }
  // the runner keeps the last 40 non-JSON lines, each cut to 2000 characters
  const diagnostics = items.flatMap((item) =>
    item._tag === "Diagnostic" ? [item.text.length > 2000 ? item.text.slice(0, 2000) + "…" : item.text] : []
  ).slice(-40)
  return { events, end: error !== undefined ? "DecodeError" : "ProcessError", error, diagnostics } as const
}

/** Runs the fake CLI replaying `bytes` and checks the run against {@link expectedRun}. */
const replay = (transport: ClaudeCode.Transport, bytes: Uint8Array, context: string) =>
  Effect.gen(function*() {
    const cwd = yield* ClaudeEnv.tempDirectory("claude-fuzz-")
    const file = Path.join(cwd, "output.bin")
    Fs.writeFileSync(file, bytes)
    const expected = expectedRun(bytes)

    const streamed = Chunk.toReadonlyArray(
      yield* Stream.runCollect(
        ClaudeCode.stream("fuzz", {
          executable: fakeClaude,
          cwd,
          transport,
          env: { FAKE_CLAUDE_MODE: "fixture", FAKE_CLAUDE_FIXTURE: file },
          shutdown: quickShutdown
        }).pipe(Stream.either)
      )
    )
    const events = streamed.flatMap((item) => Either.isRight(item) ? [item.right] : [])
    const failure = streamed.flatMap((item) => Either.isLeft(item) ? [item.left] : [])
    assert.deepStrictEqual(events, expected.events, context)
    assert.strictEqual(failure[0]?._tag ?? "success", expected.end, context)
    const last = failure[0]
    if (last?._tag === "DecodeError") assert.deepStrictEqual(errorFields(last), expected.error, context)
    if (last?._tag === "ProcessError") {
      assert.strictEqual(last.exitCode, 0, context)
      assert.deepStrictEqual(last.diagnostics, expected.diagnostics, context)
    }
    return last
  })

describe.concurrent.each(transports)("fuzz: through the fake CLI over %s", (transport) => {
  for (const seed of seeds(6, 20_000)) {
    it.scopedLive(`seed ${seed}: the run gives the oracle's events and ending`, () =>
      Effect.gen(function*() {
        const rng = prng(seed)
        yield* replay(transport, seed % 2 === 0 ? mutatedTranscript(rng) : randomStream(rng, 40), `seed ${seed}`)
      }))
  }

  it.scopedLive("output that ends inside a multi-byte character: the last line is a diagnostic (U+FFFD), not lost", () =>
    Effect.gen(function*() {
      const bytes = concat([utf8(fixtureLines[0]! + "\n"), Uint8Array.of(0xe2, 0x82)])
      const error = yield* replay(transport, bytes, "truncated character")
      assert.strictEqual(error?._tag, "ProcessError")
      assert(error?._tag === "ProcessError")
      assert.deepStrictEqual(error.diagnostics, ["\ufffd"])
    }))
})
