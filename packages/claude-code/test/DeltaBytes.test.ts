/**
 * The byte-level fast path of the runner (internal/deltaBytes.ts: `content_block_delta` lines read
 * from their bytes, without `JSON.parse`) must agree with the general path it short-cuts, which is
 * the authority: the line decoded as UTF-8, cleaned (`cleanLine`) and decoded by
 * `ClaudeEvent.decodeLine`. Whatever the fast path takes, the general path decodes to an equal event
 * (same prototype, same own fields in the same order); whatever it refuses, or makes a diagnostic
 * of, the fast path leaves alone. Checked on every recorded line, on byte-level mutations of delta
 * lines (read in full, and compared with the unmutated line read before), and through the splitter
 * with the bytes cut anywhere.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import { type DeltaDecoder, DeltaLineDecoder, makeDeltaDecoder } from "../src/internal/deltaBytes.js"
import { cleanLine, makeByteLineSplitter } from "../src/internal/lines.js"
import { ndjsonFixtures, prng, randomByteChunks } from "./utils/fixtures.js"

const encoder = new TextEncoder()

/** Delta lines in the CLI's layout that the recordings lack: other kinds, escapes, non-ASCII. */
const extraDeltaLines = [
  `{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"command\\": \\"ls"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u","api_message_id":"m"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}},"session_id":"s","parent_tool_use_id":"toolu_1","uuid":"u"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"line\\nbreak, \\"quoted\\", \\\\ \\u00e9 \\ud83d\\ude00 \\/"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u","api_message_id":"m"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo wörld — 日本語 🎉"}},"session_id":"sé","parent_tool_use_id":"p\\u0041","uuid":"u","api_message_id":"m\\n"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}},"session_id":"","parent_tool_use_id":null,"uuid":""}`
]

/** What the runner makes of a line without the fast path (the reference). */
const generalPath = (bytes: Uint8Array): Either.Either<ClaudeEvent.Decoded, unknown> | "skipped" => {
  const text = cleanLine(Buffer.from(bytes).toString("utf8"))
  if (text.trim().length === 0) return "skipped"
  return ClaudeEvent.decodeLine(text)
}

/** The fast path on one line: by `decoder`, or by a new one (which reads the line in full). */
const fast = (bytes: Uint8Array, decoder: DeltaDecoder = makeDeltaDecoder()) => {
  const buffer = Buffer.from(bytes)
  return decoder(buffer, new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength), 0, buffer.length)
}

/** A decoder that counts the lines it reads in full (the others it read by comparing them). */
const countingDecoder = () => {
  let read = 0
  const decoder = new (class extends DeltaLineDecoder {
    override read(bytes: Buffer, view: DataView, start: number, end: number) {
      read++
      return super.read(bytes, view, start, end)
    }
  })()
  const decode: DeltaDecoder = (bytes, view, start, end) => decoder.decode(bytes, view, start, end)
  return { decode, readInFull: () => read }
}

/** Checks one line; returns whether the fast path took it. */
const agree = (bytes: Uint8Array, label: string, decoder?: DeltaDecoder): boolean => {
  const taken = fast(bytes, decoder)
  if (taken === undefined) return false
  const reference = generalPath(bytes)
  if (reference === "skipped" || Either.isLeft(reference) || reference.right._tag !== "StreamEvent") {
    assert.fail(`${label}: the fast path took a line the general path does not decode to a StreamEvent`)
  }
  assert.strictEqual(Object.getPrototypeOf(taken), Object.getPrototypeOf(reference.right), label)
  assert.deepStrictEqual(Object.keys(taken), Object.keys(reference.right), label)
  assert.deepStrictEqual({ ...taken }, { ...reference.right }, label)
  return true
}

const recordedLines = (): Array<string> => ndjsonFixtures().flatMap((fixture) => [...fixture.lines])

const isDelta = (line: string): boolean => {
  try {
    const json = JSON.parse(line)
    return json.type === "stream_event" && json.event?.type === "content_block_delta"
  } catch {
    return false
  }
}

/** Bytes a mutation puts in: the JSON grammar's own, controls, and bytes that are not UTF-8. */
const interesting = [
  ...`"\\{}[],:0123456789-.eE +nul tf`.split("").map((c) => c.charCodeAt(0)),
  0x00,
  0x09,
  0x0a,
  0x0d,
  0x1b,
  0x7f,
  0x80,
  0xbf,
  0xc3,
  0xe2,
  0xf0,
  0xff
]

const mutate = (bytes: Uint8Array, random: () => number): Uint8Array => {
  const at = Math.floor(random() * (bytes.length + 1))
  const byte = random() < 0.7
    ? interesting[Math.floor(random() * interesting.length)]!
    : 0x20 + Math.floor(random() * 0x5f)
  const what = random()
  if (what < 0.4 && at < bytes.length) {
    const copy = new Uint8Array(bytes)
    copy[at] = byte
    return copy
  }
  if (what < 0.7) return Uint8Array.from([...bytes.subarray(0, at), byte, ...bytes.subarray(at)])
  return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)])
}

describe("the byte-level delta fast path", () => {
  it("takes every recorded delta line, and agrees with the general path on every recorded line", () => {
    let deltas = 0
    let taken = 0
    for (const line of [...recordedLines(), ...extraDeltaLines]) {
      if (isDelta(line)) deltas++
      if (agree(encoder.encode(line), line.slice(0, 120))) taken++
    }
    assert.isAbove(deltas, 10)
    assert.strictEqual(taken, deltas, "every delta line in the CLI's layout takes the fast path")
  })

  it("leaves alone what it does not know, and the general path decides", () => {
    const base = extraDeltaLines[3]!
    const refused = [
      base.replace(`"index":12`, `"index":-1`),
      base.replace(`"index":12`, `"index":1.5`),
      base.replace(`"index":12`, `"index":1e2`),
      base.replace(`"index":12`, `"index":012`),
      base.replace(`"index":12`, `"index":"12"`),
      base.replace(`"index":12`, `"index":12345678901234567890`),
      base.replace(`"index":12`, `"index": 12`),
      base.replace(`"type":"text_delta"`, `"type":"other_delta"`),
      base.replace(`"uuid":"u"`, `"uuid":7`),
      base.replace(`"parent_tool_use_id":null`, `"parent_tool_use_id":nul`),
      base.replace(`"parent_tool_use_id":null`, `"parent_tool_use_id":false`),
      base.replace(`,"api_message_id":"m"`, `,"ttft_ms":3`),
      base.replace(`\\u00e9`, `\\u00zz`),
      base.replace(`\\n`, `\\q`),
      base.replace(`line`, `li\x1b[0mne`),
      base.replace(`line`, `li\tne`),
      base + " ",
      base + "x",
      "\ufeff" + base,
      base.slice(0, -1)
    ]
    for (const line of refused) {
      assert.isUndefined(fast(encoder.encode(line)), line)
    }
    // the general path still takes some of them, the fast path's refusal only costs time
    assert.isTrue(Either.isRight(ClaudeEvent.decodeLine(refused[6]!)))
    assert.isTrue(Either.isLeft(ClaudeEvent.decodeLine(refused[4]!)))
  })

  it("agrees with the general path on random byte-level mutations of delta lines", () => {
    const random = prng(20261124)
    const lines = [...recordedLines().filter(isDelta), ...extraDeltaLines].map((line) => encoder.encode(line))
    let taken = 0
    let compared = 0
    const runs = 20000
    for (let i = 0; i < runs; i++) {
      const original = lines[Math.floor(random() * lines.length)]!
      let bytes: Uint8Array = original
      const mutations = 1 + Math.floor(random() * 3)
      for (let m = 0; m < mutations; m++) bytes = mutate(bytes, random)
      const label = `mutation ${i}: ${Buffer.from(bytes).toString("latin1").slice(0, 300)}`
      const tookInFull = agree(bytes, label)
      if (tookInFull) taken++
      // the same line after the line it was made from: compared with it, or read in full
      const { decode, readInFull } = countingDecoder()
      assert.isDefined(fast(original, decode))
      const tookAfter = agree(bytes, `${label} (after the original)`, decode)
      assert.strictEqual(tookAfter, tookInFull, label)
      if (readInFull() === 1) compared++ // taken without reading it in full
    }
    // mutations inside the strings keep the line valid: both paths must see some of each
    assert.isAbove(taken, runs / 20)
    assert.isBelow(taken, runs / 2)
    // and after the original, the comparison with it takes some, and hands others (a valid
    // change around the strings, as in the session id) to the full read, which takes them
    assert.isAbove(compared, runs / 50)
    assert.isAbove(taken - compared, runs / 100)
  })

  it("reads a line by comparing it with the line before when only its text and uuid differ", () => {
    const line =
      (fields: { index?: string; kind?: string; session?: string; parent?: string; tail?: string }) =>
      (text: string, uuid: string) =>
        encoder.encode(
          `{"type":"stream_event","event":{"type":"content_block_delta","index":${
            fields.index ?? "0"
          },"delta":{"type":"${fields.kind ?? `text_delta","text`}":"${text}"}},"session_id":"${
            fields.session ?? "s-1"
          }","parent_tool_use_id":${fields.parent ?? "null"},"uuid":"${uuid}"${
            fields.tail ?? `,"api_message_id":"msg_1"`
          }}`
        )
    const base = line({})
    const variants = [
      base,
      line({ index: "1" }),
      line({ index: "10" }),
      line({ kind: `thinking_delta","thinking` }),
      line({ session: "s-2" }),
      line({ session: "s-10" }),
      line({ parent: `"toolu_1"` }),
      line({ parent: `"toolu_\\u0031"` }),
      line({ tail: "" }),
      line({ tail: `,"api_message_id":"msg_2"` })
    ]
    const texts = ["", "a", "hello", "é 日本 🎉", `say \\"hi\\"\\n`, "x".repeat(5000)]
    const uuids = ["", "u", "4c3b1f2e-0000-4000-8000-000000000001", "u\\u0031"]
    let lines = 0
    for (const from of variants) {
      for (const to of variants) {
        for (const [k, text] of texts.entries()) {
          const uuid = uuids[k % uuids.length]!
          const { decode, readInFull } = countingDecoder()
          const read = (make: typeof base, label: string, text: string, uuid: string) => {
            const reads = readInFull()
            assert.isTrue(agree(make(text, uuid), `${label}: ${text.slice(0, 20)} ${uuid}`, decode))
            lines++
            return readInFull() - reads
          }
          assert.strictEqual(read(from, "the first line", "before", "u-0"), 1)
          // compared when its bytes around the text and uuid are the line before's, else read in full
          assert.strictEqual(read(to, "the next", text, uuid), from === to ? 0 : 1)
          // the line compared with is replaced after two failures in a row, not one
          assert.strictEqual(read(to, "the next but one", "again", "u-2"), from === to ? 0 : 1)
          assert.strictEqual(read(to, "the next but two", text, "u-3"), 0)
          if (from !== to) {
            // two streams taking turns: the first is compared, the other read in full
            assert.strictEqual(read(from, "the first again", "a", "u-4"), 1)
            assert.strictEqual(read(to, "the other", "b", "u-5"), 0)
            assert.strictEqual(read(from, "the first", "c", "u-6"), 1)
            assert.strictEqual(read(to, "the other", "d", "u-7"), 0)
          }
        }
      }
    }
    assert.isAbove(lines, 2000)
    const { decode, readInFull } = countingDecoder()
    /** How many lines `lines` had read in full (each line checked against the general path). */
    const inFull = (...lines: Array<Uint8Array>) => {
      const reads = readInFull()
      for (const bytes of lines) {
        const taken = agree(bytes, Buffer.from(bytes).toString().slice(0, 120), decode)
        assert.strictEqual(taken, isDelta(Buffer.from(bytes).toString()))
      }
      return readInFull() - reads
    }
    // a line too long to keep is read in full, and does not stop the next from being compared
    const long = line({ session: "s".repeat(5000) })
    assert.strictEqual(inFull(long("a", "u"), long("b", "u")), 2)
    assert.strictEqual(inFull(base("c", "u"), base("d", "u")), 1)
    // a line it does not take (read in full, and refused) leaves the line before as the one to
    // compare with, and is not a failure of the comparison
    const result = encoder.encode(`{"type":"result"}`)
    const index1 = line({ index: "1" })
    assert.strictEqual(inFull(result, base("e", "u")), 1)
    assert.strictEqual(inFull(index1("f", "u"), result, index1("g", "u"), index1("h", "u")), 3)
  })

  it("compares with a copy of the line before: reusing the buffer does not change the next answer", () => {
    const decode = makeDeltaDecoder()
    const buffer = Buffer.from(
      `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}},"session_id":"same","parent_tool_use_id":null,"uuid":"u","api_message_id":"m"}`
    )
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    assert.strictEqual(decode(buffer, view, 0, buffer.length)?.session_id, "same")
    buffer.write("diff", buffer.indexOf("same"), "latin1")
    assert.strictEqual(decode(buffer, view, 0, buffer.length)?.session_id, "diff")
  })

  it("a repeated string (the session id) is decoded again when its bytes change", () => {
    const line = (session: string, text: string) =>
      encoder.encode(
        `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${text}"}},"session_id":"${session}","parent_tool_use_id":null,"uuid":"u","api_message_id":"m"}`
      )
    const sessions = ["aaaa", "aaab", "aaaa", "aaaa", "baaa", "aa", "aaaa"]
    const decode = makeDeltaDecoder()
    assert.deepStrictEqual(sessions.map((session, i) => fast(line(session, `t${i}`), decode)?.session_id), sessions)
    // the bytes it remembers are a copy: reusing the buffer does not change the next answer (each
    // line read in full, so the session id is checked against the one remembered)
    const buffer = Buffer.from(line("same", "x"))
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    const again = new DeltaLineDecoder()
    assert.strictEqual(again.read(buffer, view, 0, buffer.length)?.session_id, "same")
    buffer.write("diff", buffer.indexOf("same"), "latin1")
    assert.strictEqual(again.read(buffer, view, 0, buffer.length)?.session_id, "diff")
  })

  it("through the splitter, bytes cut anywhere: the same events as the general path, line for line", () => {
    const lines = [...recordedLines(), ...extraDeltaLines]
    const bytes = encoder.encode(lines.join("\r\n") + "\n")
    const expected = lines.map((line) => generalPath(encoder.encode(line)))
    for (const seed of [1, 2, 3, 4, 5]) {
      const splitter = makeByteLineSplitter(makeDeltaDecoder())
      const out: Array<string | ClaudeEvent.StreamEvent> = []
      for (const chunk of randomByteChunks(bytes, seed, seed * 200)) splitter.push(chunk, out)
      splitter.end(out)
      assert.strictEqual(out.length, lines.length)
      let taken = 0
      out.forEach((item, i) => {
        const reference = expected[i]!
        assert.notStrictEqual(reference, "skipped")
        const decoded = typeof item === "string" ? ClaudeEvent.decodeLine(item) : Either.right(item)
        if (typeof item !== "string") taken++
        assert.deepStrictEqual(decoded, reference, lines[i]!.slice(0, 120))
      })
      assert.isAbove(taken, 10)
    }
  })
})
