import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as internal from "../src/internal/ptyProcess.js"
import { allOutput, awaitDead, isDead, reader, sh } from "./helpers.js"

/** `count` copies of `char`, written by one `tr` (no newline, so the terminal passes it as is). */
const repeatChar = (char: string, count: number) => `head -c ${count} /dev/zero | tr '\\0' '${char}'`

describe("output", () => {
  it.scopedLive("keeps the last words of a child that exits the instant it writes", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 40; i++) {
        const words = yield* Effect.scoped(
          Effect.flatMap(PtyProcess.spawn({ command: "printf", args: [`last words ${i}`] }), allOutput)
        )
        assert.strictEqual(words, `last words ${i}`)
        const block = yield* Effect.scoped(
          Effect.flatMap(PtyProcess.spawn(sh(`${repeatChar("z", 30_000)}; printf end`)), allOutput)
        )
        assert.strictEqual(block, "z".repeat(30_000) + "end")
      }
    }))

  it.scopedLive("delivers 50 MB intact (length and SHA-256)", () =>
    Effect.gen(function*() {
      // 500,000 numbered lines of 100 bytes, written by a Node child in 100 KB batches.
      const lines = 500_000
      const line = (i: number) => String(i).padStart(10, "0") + " " + "x".repeat(88)
      const child = `
        const fs = require("fs")
        const line = (i) => String(i).padStart(10, "0") + " " + "x".repeat(88)
        for (let i = 0; i < ${lines}; i += 1000) {
          let batch = ""
          for (let j = i; j < i + 1000; j++) batch += line(j) + "\\n"
          const buffer = Buffer.from(batch)
          let offset = 0
          while (offset < buffer.length) {
            try { offset += fs.writeSync(1, buffer, offset) } catch (e) { if (e.code !== "EAGAIN") throw e }
          }
        }`
      const expected = crypto.createHash("sha256")
      for (let i = 0; i < lines; i += 1000) {
        let batch = ""
        for (let j = i; j < i + 1000; j++) batch += line(j) + "\r\n"
        expected.update(batch)
      }
      const proc = yield* PtyProcess.spawn({ command: process.execPath, args: ["-e", child] })
      const actual = crypto.createHash("sha256")
      const length = yield* proc.output.pipe(
        Stream.runFold(0, (length, text) => {
          actual.update(text)
          return length + text.length
        })
      )
      assert.strictEqual(length, lines * 101)
      assert.strictEqual(actual.digest("hex"), expected.digest("hex"))
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }), { timeout: 60_000 })

  it.scopedLive("decodes multi-byte UTF-8 split across reads", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-pty-"))
      const file = path.join(dir, "utf8.txt")
      // 2-, 3- and 4-byte characters: reads of at most 4095 bytes split many of them
      const text = "é€😀".repeat(30_000)
      fs.writeFileSync(file, text)
      const proc = yield* PtyProcess.spawn({ command: "cat", stdin: file })
      assert.strictEqual(yield* allOutput(proc), text)
      fs.rmSync(dir, { recursive: true })
    }))

  it.scopedLive("decodes a character split between writes whole, invalid bytes and a cut-off one as U+FFFD", () =>
    Effect.gen(function*() {
      // "a" and the first two bytes of "€" (e2 82 ac); the child waits; then the rest of the "€",
      // "b", an invalid byte and a character cut off by the end of the output
      const proc = yield* PtyProcess.spawn(
        sh("stty -echo; printf 'a\\342\\202'; read go; printf '\\254b\\377\\342\\202'")
      )
      const out = yield* reader(proc)
      // The two bytes already read are held back until the character is complete.
      assert.strictEqual(yield* out.until("a"), "a")
      yield* proc.write("go\n")
      assert.strictEqual(yield* out.rest, "a€b\ufffd\ufffd")
    }))

  it.scopedLive("a slow consumer gets everything while the buffer stays bounded", () =>
    Effect.gen(function*() {
      const highWaterMark = 16 * 1024
      const total = 2_000_000
      let pauses = 0
      const proc = yield* internal.make({ ...sh(repeatChar("a", total)), highWaterMark }, {
        onPause: () => {
          pauses++
        }
      })
      let largest = 0
      let received = 0
      let allA = true
      yield* proc.output.pipe(
        Stream.chunks,
        Stream.runForEach((chunk) => {
          const text = Chunk.join(chunk, "")
          largest = Math.max(largest, text.length)
          received += text.length
          allA &&= /^a*$/.test(text)
          // a consumer that takes its time over every batch
          return Effect.sleep("3 millis")
        })
      )
      assert.strictEqual(received, total)
      assert.isTrue(allA)
      assert.isAbove(pauses, 0)
      // One batch is at most the high-water mark plus the read that crossed it (libuv reads at
      // most 64 KiB). Without pausing, a 3 ms nap lets hundreds of KB pile up.
      assert.isAtMost(largest, highWaterMark + 65536)
    }))

  it.scopedLive("a child whose output nobody reads blocks once the buffer is full", () =>
    Effect.gen(function*() {
      const highWaterMark = 16 * 1024
      const paused = yield* Deferred.make<number>()
      const proc = yield* internal.make({ ...sh(repeatChar("b", 2_000_000)), highWaterMark }, {
        onPause: (buffered) => Deferred.unsafeDone(paused, Effect.succeed(buffered))
      })
      const buffered = yield* Deferred.await(paused)
      assert.isAtLeast(buffered, highWaterMark)
      assert.isAtMost(buffered, highWaterMark + 65536)
      // Writing 2 MB takes a few ms; blocked on a full terminal, the child does not get to exit.
      assert.isTrue(Option.isNone(yield* proc.exitStatus.pipe(Effect.timeoutOption("300 millis"))))
      assert.isTrue(yield* proc.isRunning)
      const text = yield* allOutput(proc)
      assert.strictEqual(text.length, 2_000_000)
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))

  it.scopedLive("a late subscriber, after the child has exited, gets everything", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh(`echo first; ${repeatChar("c", 100_000)}; echo; echo last`))
      yield* proc.exitStatus
      // Later than node-pty's UnixTerminal, which destroys the socket 200 ms after the exit.
      yield* Effect.sleep("400 millis")
      assert.strictEqual(yield* allOutput(proc), "first\r\n" + "c".repeat(100_000) + "\r\nlast\r\n")
    }))

  it.scopedLive("nothing is lost when the child exits while reading is paused", () =>
    Effect.gen(function*() {
      const paused = yield* Deferred.make<void>()
      let drainWindowExpired = false
      const proc = yield* internal.make(
        { ...sh(`stty -echo; ${repeatChar("A", 100)}; read go; ${repeatChar("B", 2000)}`), highWaterMark: 50 },
        {
          onPause: () => Deferred.unsafeDone(paused, Effect.void),
          onDrainWindowExpired: () => {
            drainWindowExpired = true
          }
        }
      )
      // The A's filled the buffer and reading paused; then the child writes its B's into the
      // kernel's buffer and exits while nobody is reading.
      yield* Deferred.await(paused)
      yield* proc.write("go\n")
      yield* proc.exitStatus
      yield* Effect.sleep("400 millis")
      assert.strictEqual(yield* allOutput(proc), "A".repeat(100) + "B".repeat(2000))
      assert.isFalse(drainWindowExpired)
    }))

  it.live("ends soon after the child exits even if a background process holds the terminal", () =>
    Effect.gen(function*() {
      let drainWindowExpired = false
      const grandchild = yield* Effect.scoped(Effect.gen(function*() {
        // The leader waits until the grandchild ignores SIGHUP (the leader's exit sends it).
        const proc = yield* internal.make(
          sh("(trap '' HUP; echo trapped; exec sleep 30) & read go; echo \"grandchild=$!\""),
          {
            onDrainWindowExpired: () => {
              drainWindowExpired = true
            }
          }
        )
        const out = yield* reader(proc)
        yield* out.until("trapped")
        yield* proc.write("\n")
        const text = yield* out.rest
        const grandchild = Number(/grandchild=(\d+)/.exec(text)?.[1])
        assert.isTrue(drainWindowExpired)
        // the output ended while the grandchild still holds the terminal
        assert.isFalse(isDead(grandchild))
        assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
        return grandchild
      }))
      // and closing the scope took the grandchild with it
      yield* awaitDead(grandchild)
    }))

  it.scopedLive("ends when the child closes its terminal but runs on (it can write nothing more)", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(
        sh("echo bye; exec 0<&- 1>&- 2>&-; exec sleep 30", { shutdown: { gracePeriod: "10 millis" } })
      )
      assert.strictEqual(yield* allOutput(proc), "bye\r\n")
      assert.isTrue(yield* proc.isRunning)
    }))

  it.scopedLive("echoes what is written, as a terminal does", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn({ command: "head", args: ["-n1"] })
      const out = yield* reader(proc)
      yield* proc.write("typed\n")
      // the terminal's echo, then head's copy
      assert.strictEqual(yield* out.rest, "typed\r\ntyped\r\n")
    }))
})
