import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import {
  cleanLine,
  makeByteLineSplitter,
  makeLineSplitter,
  splitAll,
  splitLineBytes,
  splitLines
} from "../src/internal/lines.js"
import { ndjsonFixtures, ptyFixture, ptyFixtures, randomByteChunks, randomChunks } from "./utils/fixtures.js"

const collectLines = (chunks: ReadonlyArray<string>, rechunk = 1) =>
  Stream.fromIterable(chunks).pipe(Stream.rechunk(rechunk), splitLines, Stream.runCollect, Effect.map(Chunk.toArray))

/** What `split` makes of one input followed by a failure (the complete lines, then the failure). */
const beforeFailure = <I>(input: I, split: (self: Stream.Stream<I, string>) => Stream.Stream<string, string>) =>
  Stream.make(input).pipe(
    Stream.concat(Stream.fail("boom")),
    split,
    Stream.either,
    Stream.runCollect,
    Effect.map(Chunk.toArray)
  )

describe("splitAll / splitLines", () => {
  it("splits on \\n, drops \\r, skips blank lines, emits a last line without newline", () => {
    assert.deepStrictEqual(splitAll(["a\nb\r\n\n  \r\n\t\nc"]), ["a", "b", "c"])
    assert.deepStrictEqual(splitAll(["x\ry\n"]), ["xy"])
    assert.deepStrictEqual(splitAll([]), [])
    assert.deepStrictEqual(splitAll(["", "\n", "\r\n"]), [])
  })

  it("never splits on U+2028 / U+2029 (which Node's readline does)", () => {
    const line = JSON.stringify({ type: "assistant", text: "one\u2028two\u2029three" })
    assert.isTrue(line.includes("\u2028"), "JSON.stringify keeps U+2028 raw")
    assert.deepStrictEqual(splitAll([line + "\n" + line]), [line, line])
  })

  it("removes terminal escape sequences", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["\x1b[?25h", ""],
      ["{\"a\":1}\x1b[?25h", "{\"a\":1}"],
      ["\x1b[0m\x1b[1;31m{\"a\":1}\x1b[0m", "{\"a\":1}"],
      ["\x1b]0;title\x07{\"a\":1}", "{\"a\":1}"],
      ["\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"],
      ["\x1b7{\"a\":1}\x1b8", "{\"a\":1}"],
      ["\x1b(B{}", "{}"],
      ["\x1bP1$r\x1b\\{}", "{}"],
      ["{}\x1b", "{}"],
      ["\x1b[12;3H{}", "{}"],
      ["a\r\x1b[K\rb", "ab"],
      ["\x1b]unterminated", ""]
    ]
    for (const [input, expected] of cases) {
      assert.strictEqual(cleanLine(input), expected, JSON.stringify(input))
    }
    assert.deepStrictEqual(splitAll(["\x1b[?25l{\"a\":1}\r\n\x1b[?25h"]), ["{\"a\":1}"])
  })

  it("pty captures: every \\r\\n line, escapes gone", () => {
    for (const fixture of ptyFixtures()) {
      const lines = splitAll([fixture.text])
      assert.strictEqual(lines.length, fixture.text.split("\r\n").length - 1, fixture.name)
      for (const line of lines) {
        assert.isFalse(/[\r\x1b]/.test(line), `${fixture.name}: ${JSON.stringify(line.slice(-20))}`)
      }
      if (fixture.name !== "pty_unknown_opt") {
        for (const line of lines) assert.strictEqual(typeof JSON.parse(line), "object", fixture.name)
      }
    }
    assert.deepStrictEqual(splitAll([ptyFixture("pty_unknown_opt").text]), [
      "error: unknown option '--help me'",
      "(Did you mean --help?)"
    ])
  })

  it("pipe transcripts: the lines are the file's lines", () => {
    for (const fixture of ndjsonFixtures()) {
      assert.deepStrictEqual(splitAll([fixture.text]), fixture.lines, fixture.name)
    }
  })

  it("chunk boundaries never change the lines (300 seeds per file)", () => {
    const inputs = [...ndjsonFixtures(), ...ptyFixtures()]
    for (const { name, text } of inputs) {
      const expected = splitAll([text])
      for (let seed = 1; seed <= 300; seed++) {
        const chunks = randomChunks(text, seed, seed % 3 === 0 ? 3 : seed % 3 === 1 ? 40 : 5000)
        assert.deepStrictEqual(splitAll(chunks), expected, `${name} seed ${seed}`)
      }
    }
  })

  it("push/end keep no state between splitters", () => {
    const splitter = makeLineSplitter()
    const out: Array<string> = []
    splitter.push("abc", out)
    assert.deepStrictEqual(out, [])
    splitter.push("def\nxy", out)
    assert.deepStrictEqual(out, ["abcdef"])
    splitter.end(out)
    assert.deepStrictEqual(out, ["abcdef", "xy"])
    splitter.end(out)
    assert.deepStrictEqual(out, ["abcdef", "xy"])
  })

  it.effect("the Stream operator gives the same lines for any chunking", () =>
    Effect.gen(function*() {
      for (const { name, text } of [...ndjsonFixtures(), ...ptyFixtures()]) {
        const expected = splitAll([text])
        for (let seed = 1; seed <= 20; seed++) {
          const lines = yield* collectLines(randomChunks(text, seed, 50), 1 + (seed % 7))
          assert.deepStrictEqual(lines, expected, `${name} seed ${seed}`)
        }
      }
    }))

  it.effect("bytes cut inside UTF-8 characters: decodeText + splitLines give the same lines", () =>
    Effect.gen(function*() {
      const multiByte = new TextEncoder().encode(
        `{"type":"assistant","text":"héllo — 你好 😀 \u2028"}\r\n{"b":"ö"}\r\n\x1b[?25h`
      )
      const inputs = [...ptyFixtures().map((f) => ({ name: f.name, bytes: f.bytes })), {
        name: "multi-byte",
        bytes: multiByte
      }]
      for (const { name, bytes } of inputs) {
        const expected = splitAll([new TextDecoder().decode(bytes)])
        for (let seed = 1; seed <= 30; seed++) {
          const lines = yield* Stream.fromIterable(randomByteChunks(bytes, seed, 1 + (seed % 9))).pipe(
            Stream.decodeText(),
            splitLines,
            Stream.runCollect,
            Effect.map(Chunk.toArray)
          )
          assert.deepStrictEqual(lines, expected, `${name} seed ${seed}`)
        }
      }
    }))

  it.effect("a failure of the input is passed on after the complete lines before it", () =>
    Effect.gen(function*() {
      const results = yield* beforeFailure("a\nb\nunfinished", splitLines)
      assert.deepStrictEqual(results, [Either.right("a"), Either.right("b"), Either.left("boom")])
    }))

  it("a 20 MB line split into 4 KB chunks arrives whole", () => {
    const payload = "x".repeat(20 * 1024 * 1024)
    const line = `{"type":"user","text":"${payload}"}`
    const text = `${line}\r\n{"type":"result"}\r\n\x1b[?25h`
    const chunks: Array<string> = []
    for (let i = 0; i < text.length; i += 4095) chunks.push(text.slice(i, i + 4095))
    const lines = splitAll(chunks)
    assert.strictEqual(lines.length, 2)
    assert.strictEqual(lines[0]!.length, line.length)
    assert.isTrue(lines[0] === line)
    assert.strictEqual(lines[1], "{\"type\":\"result\"}")
  })
})

describe("makeByteLineSplitter / splitLineBytes (bytes split on \\n, each line decoded on its own)", () => {
  const splitBytes = (chunks: ReadonlyArray<Uint8Array>): Array<string> => {
    const splitter = makeByteLineSplitter()
    const out: Array<string> = []
    for (const chunk of chunks) splitter.push(chunk, out)
    splitter.end(out)
    return out
  }
  const utf8 = (text: string) => new TextEncoder().encode(text)
  const bytesOf = (...parts: ReadonlyArray<string | ReadonlyArray<number>>) =>
    Buffer.concat(parts.map((part) => typeof part === "string" ? utf8(part) : Uint8Array.from(part)))

  it("gives the lines of the whole output decoded by TextDecoder, however the bytes are cut", () => {
    const inputs = [
      ...ptyFixtures().map((f) => ({ name: f.name, bytes: f.bytes })),
      ...ndjsonFixtures().map((f) => ({ name: f.name, bytes: utf8(f.text) })),
      {
        name: "multi-byte and invalid",
        bytes: bytesOf(
          "{\"text\":\"héllo — 你好 😀 \u2028\"}\r\n",
          [0xc3, 0x0a], // a character cut by the end of its line
          "{\"b\":\"",
          [0xff, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98],
          "\"}\r\n\x1b[?25h",
          [0xe2, 0x82] // an unfinished character at the very end
        )
      }
    ]
    for (const { name, bytes } of inputs) {
      const expected = splitAll([new TextDecoder().decode(bytes)])
      assert.isAbove(expected.length, 0, name)
      for (let seed = 1; seed <= 100; seed++) {
        const chunks = randomByteChunks(bytes, seed, seed % 2 === 0 ? 7 : 3000)
        assert.deepStrictEqual(splitBytes(chunks), expected, `${name} seed ${seed}`)
      }
    }
  })

  it("drops a byte order mark at the very start of the output only, as TextDecoder does", () => {
    for (const cut of [1, 2, 3, 4, 100]) {
      const bytes = bytesOf([0xef, 0xbb, 0xbf], "{\"a\":1}\n\ufeff{\"b\":2}\n")
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)]
      assert.deepStrictEqual(splitBytes(chunks), ["{\"a\":1}", "\ufeff{\"b\":2}"], `cut at ${cut}`)
    }
    assert.deepStrictEqual(splitBytes([bytesOf("\n", [0xef, 0xbb, 0xbf], "x\n")]), ["\ufeffx"])
  })

  it("keeps its own copy of an unfinished line: the caller may reuse its buffer", () => {
    const splitter = makeByteLineSplitter()
    const out: Array<string> = []
    const buffer = Buffer.from("{\"a\":")
    splitter.push(buffer, out)
    buffer.fill(0x78) // "xxxxx", as a reader reusing its buffer would overwrite it
    splitter.push(Buffer.from("1}\n"), out)
    assert.deepStrictEqual(out, ["{\"a\":1}"])
  })

  it("a 20 MB line split into 4 KB chunks arrives whole", () => {
    const line = `{"type":"user","text":"${"é".repeat(10 * 1024 * 1024)}"}`
    const bytes = utf8(`${line}\r\n{"type":"result"}\r\n\x1b[?25h`)
    const chunks: Array<Uint8Array> = []
    for (let i = 0; i < bytes.length; i += 4095) chunks.push(bytes.subarray(i, i + 4095))
    const lines = splitBytes(chunks)
    assert.strictEqual(lines.length, 2)
    assert.isTrue(lines[0] === line)
    assert.strictEqual(lines[1], "{\"type\":\"result\"}")
  })

  it.effect("the Stream operator: the same lines, and a failure after the complete lines before it", () =>
    Effect.gen(function*() {
      const bytes = ptyFixtures()[0]!.bytes
      const lines = yield* Stream.fromIterable(randomByteChunks(bytes, 7, 50)).pipe(
        Stream.rechunk(3),
        splitLineBytes,
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      assert.deepStrictEqual(lines, splitAll([new TextDecoder().decode(bytes)]))
      const results = yield* beforeFailure(utf8("a\nb\nunfinished"), splitLineBytes)
      assert.deepStrictEqual(results, [Either.right("a"), Either.right("b"), Either.left("boom")])
    }))
})
