import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as internal from "../src/internal/ptyProcess.js"
import { pullToEnd, sh } from "./helpers.js"

/** All of `outputBytes`, concatenated, and the elements it came in. */
const allBytes = (proc: PtyProcess.PtyProcess) =>
  Effect.map(Stream.runCollect(proc.outputBytes), (reads) => {
    const elements = Chunk.toArray(reads)
    return { bytes: Buffer.concat(elements), elements }
  })

/** A Node child that writes `bytes` (a JS expression giving a Buffer) to the terminal. */
const nodeWriting = (bytes: string, options: Partial<PtyProcess.SpawnOptions> = {}): PtyProcess.SpawnOptions => ({
  command: process.execPath,
  args: [
    "-e",
    `const fs = require("fs"); const b = ${bytes}; let o = 0
     while (o < b.length) { try { o += fs.writeSync(1, b, o) } catch (e) { if (e.code !== "EAGAIN") throw e } }`
  ],
  ...options
})

/** Every byte value 0..255; the terminal turns the one `\n` into `\r\n` (ONLCR), nothing else. */
const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const everyByteOnTerminal = Buffer.concat([everyByte.subarray(0, 10), Buffer.from("\r\n"), everyByte.subarray(11)])

/** The death of a refused run, as its pretty-printed cause (a run that is not refused may wait). */
const deathOf = <A, E>(stream: Stream.Stream<A, E>) =>
  Stream.runDrain(stream).pipe(
    Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "the run was not refused" }),
    Effect.exit,
    Effect.map((exit) => {
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), "the run should die")
      return Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
    })
  )

describe("outputBytes", () => {
  it.scopedLive("gives the exact bytes the child wrote, invalid UTF-8 included, as Buffers", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(nodeWriting("Buffer.from(Array.from({ length: 256 }, (_, i) => i))"))
      const { bytes, elements } = yield* allBytes(proc)
      assert.strictEqual(bytes.toString("hex"), everyByteOnTerminal.toString("hex"))
      for (const element of elements) assert.isTrue(Buffer.isBuffer(element))
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))

  it.scopedLive("hands out the first bytes of a character split between writes as they are read", () =>
    Effect.gen(function*() {
      // "a", then the first two bytes of "€" (e2 82 ac); the child waits; then the last byte and "b"
      const proc = yield* PtyProcess.spawn(sh("stty -echo; printf 'a\\342\\202'; read go; printf '\\254b'"))
      const pull = yield* Stream.toPull(proc.outputBytes)
      let first = Buffer.alloc(0)
      yield* Effect.whileLoop({
        while: () => first.length < 3,
        body: () => pull,
        step: (reads) => first = Buffer.concat([first, ...Chunk.toArray(reads)])
      }).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => `only ${first.toString("hex")} arrived` }))
      // Decoding here would have held back the unfinished character.
      assert.strictEqual(first.toString("hex"), "61e282")
      yield* proc.write("go\n")
      let rest = Buffer.alloc(0)
      yield* pullToEnd(pull, (reads) => Effect.sync(() => rest = Buffer.concat([rest, ...Chunk.toArray(reads)])))
      assert.strictEqual(rest.toString("hex"), "ac62")
      assert.strictEqual(Buffer.concat([first, rest]).toString("utf8"), "a€b")
    }))

  it.scopedLive("reading pauses at highWaterMark bytes; everything arrives, batches stay bounded", () =>
    Effect.gen(function*() {
      const highWaterMark = 128 * 1024
      const expected = Buffer.from("é".repeat(1_000_000)) // 2 MB of two-byte characters
      const paused = yield* Deferred.make<{ readonly buffered: number; readonly reads: number }>()
      const proc = yield* internal.make(nodeWriting("Buffer.from(\"é\".repeat(1_000_000))", { highWaterMark }), {
        onPause: (buffered, reads) => Deferred.unsafeDone(paused, Effect.succeed({ buffered, reads }))
      })
      const { buffered, reads } = yield* Deferred.await(paused).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "reading never paused" })
      )
      // Bytes, not characters: counting characters would pause at 256 KiB or more.
      assert.isAtLeast(buffered, highWaterMark)
      assert.isAtMost(buffered, highWaterMark + 65536)
      // Blocked on a full terminal, the child does not get to exit.
      assert.isTrue(Option.isNone(yield* proc.exitStatus.pipe(Effect.timeoutOption("300 millis"))))
      const pull = yield* Stream.toPull(proc.outputBytes)
      const firstBatch = Chunk.toArray(yield* pull)
      // The pull took exactly what was buffered when reading paused: the reads, byte for byte.
      assert.strictEqual(firstBatch.length, reads)
      assert.strictEqual(Buffer.concat(firstBatch).length, buffered)
      // Kept, not copied: a read handed out must never be overwritten by a later one.
      const received: Array<Uint8Array> = firstBatch
      let largest = buffered
      yield* pullToEnd(pull, (batch) => {
        let size = 0
        for (const read of batch) {
          size += read.length
          received.push(read)
        }
        largest = Math.max(largest, size)
        // a consumer that takes its time over every batch
        return Effect.sleep("2 millis")
      })
      assert.isTrue(Buffer.concat(received).equals(expected))
      // One batch is at most the high-water mark plus the read that crossed it.
      assert.isAtMost(largest, highWaterMark + 65536)
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))
})

describe("output and outputBytes can be run once, one of them", () => {
  it.scopedLive("outputBytes a second time dies", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("printf once"))
      assert.strictEqual((yield* allBytes(proc)).bytes.toString(), "once")
      const death = yield* deathOf(proc.outputBytes)
      assert.include(death, `PtyProcess.outputBytes of process ${proc.pid} was already run`)
      assert.include(death, "output and outputBytes share one reader: one of them can be run once, not both")
    }))

  it.scopedLive("outputBytes after output dies, naming both; output keeps its consumer", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("stty -echo; printf first; read go; printf ' second'"))
      const pull = yield* Stream.toPull(proc.output)
      const first = Chunk.join(yield* pull, "")
      const death = yield* deathOf(proc.outputBytes)
      assert.include(death, "PtyProcess.outputBytes of process")
      assert.include(death, "cannot be run: PtyProcess.output was already run")
      // The refused run took nothing: the first consumer still gets the rest.
      yield* proc.write("go\n")
      let text = first
      yield* pullToEnd(pull, (chunk) => Effect.sync(() => text += Chunk.join(chunk, "")))
      assert.strictEqual(text, "first second")
    }))

  it.scopedLive("output after outputBytes dies, naming both", () =>
    Effect.gen(function*() {
      const proc = yield* PtyProcess.spawn(sh("printf bytes"))
      assert.strictEqual((yield* allBytes(proc)).bytes.toString(), "bytes")
      const death = yield* deathOf(proc.output)
      assert.include(death, "cannot be run: PtyProcess.outputBytes was already run")
      // and running outputBytes again is refused too
      assert.include(yield* deathOf(proc.outputBytes), "was already run")
    }))
})
