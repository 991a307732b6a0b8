import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { cleanLine, makeLineSplitter, splitAll, splitLines } from "../src/internal/lines.js"
import { ndjsonFixtures, ptyFixture, ptyFixtures, randomByteChunks, randomChunks } from "./utils/fixtures.js"

const collectLines = (chunks: ReadonlyArray<string>, rechunk = 1) =>
  Stream.fromIterable(chunks).pipe(Stream.rechunk(rechunk), splitLines, Stream.runCollect, Effect.map(Chunk.toArray))

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
      const results = yield* Stream.fromIterable(["a\nb\nunfinished"]).pipe(
        Stream.concat(Stream.fail("boom")),
        splitLines,
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
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
