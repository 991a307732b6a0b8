import { assert, describe, it } from "@effect/vitest"
import { PtyProcess } from "effect-pty"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
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

describe("unsafeReadAhead", () => {
  /** 1.2 MB, each 4 bytes a counter: a read delivered twice, dropped or out of order shows. */
  const counted = "Buffer.from(Array.from({ length: 300000 }, (_, i) => i.toString(36).padStart(4, \"0\")).join(\"\"))"
  const countedBytes = Buffer.from(Array.from({ length: 300000 }, (_, i) => i.toString(36).padStart(4, "0")).join(""))

  it.scopedLive("reads what the child wrote while the consumer works; every byte arrives once, in order", () =>
    Effect.gen(function*() {
      const readAhead: Array<number> = []
      const proc = yield* internal.make(nodeWriting(counted), { onReadAhead: (bytes) => readAhead.push(bytes) })
      const pull = yield* Stream.toPull(proc.outputBytes)
      const received: Array<Uint8Array> = [...Chunk.toArray(yield* pull)]
      // Synchronous work: the event loop does not turn, so only a read ahead can take what the
      // child writes meanwhile (it writes 1.2 MB, far more than a terminal holds).
      const deadline = Date.now() + 10_000
      while (!readAhead.some((bytes) => bytes > 0) && Date.now() < deadline) proc.unsafeReadAhead()
      assert.isTrue(readAhead.some((bytes) => bytes > 0), "nothing was read ahead")
      // The next pull takes what was read ahead; every later batch reads ahead too.
      yield* pullToEnd(pull, (batch) =>
        Effect.sync(() => {
          for (const read of batch) received.push(read)
          proc.unsafeReadAhead()
        }))
      // Kept, not copied: a view handed out is never overwritten by a later read ahead.
      assert.isTrue(Buffer.concat(received).equals(countedBytes))
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))

  it.scopedLive("with reuseOutputBuffers, a pull's Buffers are reused after the next pull; copies are whole", () =>
    Effect.gen(function*() {
      const readAhead: Array<number> = []
      // reading ahead 96 KiB at each pull (more than a slab of 64 KiB) takes a slab at each pull
      const proc = yield* internal.make(nodeWriting(counted, { reuseOutputBuffers: true, highWaterMark: 256 * 1024 }), {
        onReadAhead: (bytes) => readAhead.push(bytes)
      })
      const copies: Array<Buffer> = []
      const kept: Array<{ readonly read: Uint8Array; readonly copy: Buffer }> = []
      /** Until reading ahead finds too little for a while (the child is done), each pull waits for bytes. */
      let waitForBytes = true
      yield* pullToEnd(yield* Stream.toPull(proc.outputBytes), (batch) =>
        Effect.sync(() => {
          // Reads ahead first (96 KiB, while the child writes), then uses the reads of this pull:
          // none of them may have been written over by what was read ahead.
          const deadline = Date.now() + 200
          let got = 0
          while (waitForBytes && got < 96 * 1024) {
            proc.unsafeReadAhead()
            got += readAhead.at(-1)!
            if (Date.now() > deadline) waitForBytes = false
          }
          for (const read of batch) {
            const copy = Buffer.from(read)
            copies.push(copy)
            kept.push({ read, copy })
          }
        }))
      // What was copied at each pull is the output, byte for byte and in order...
      assert.isTrue(Buffer.concat(copies).equals(countedBytes))
      // ...and Buffers kept past the next pull have been written over by later reads.
      assert.isTrue(kept.some(({ copy, read }) => !copy.equals(read)), "no Buffer was reused")
      assert.strictEqual((yield* proc.exitStatus).exitCode, 0)
    }))

  it.scopedLive("reads nothing while reading is paused at highWaterMark", () =>
    Effect.gen(function*() {
      const highWaterMark = 32 * 1024
      const readAhead: Array<number> = []
      const paused = yield* Deferred.make<number>()
      const proc = yield* internal.make(nodeWriting(counted, { highWaterMark }), {
        onPause: (buffered) => Deferred.unsafeDone(paused, Effect.succeed(buffered)),
        onReadAhead: (bytes) => readAhead.push(bytes)
      })
      const buffered = yield* Deferred.await(paused).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "reading never paused" })
      )
      proc.unsafeReadAhead()
      assert.deepStrictEqual(readAhead, [0])
      // The first pull takes exactly what was buffered when reading paused.
      const pull = yield* Stream.toPull(proc.outputBytes)
      const first = Chunk.toArray(yield* pull)
      assert.strictEqual(Buffer.concat(first).length, buffered)
      const received: Array<Uint8Array> = first
      yield* pullToEnd(pull, (batch) => Effect.sync(() => Chunk.forEach(batch, (read) => received.push(read))))
      assert.isTrue(Buffer.concat(received).equals(countedBytes))
    }))

  it.scopedLive("after the end of the output and after the scope closed: nothing, and no error", () =>
    Effect.gen(function*() {
      const readAhead: Array<number> = []
      const scope = yield* Scope.make()
      const proc = yield* internal.make(sh("printf done"), { onReadAhead: (bytes) => readAhead.push(bytes) }).pipe(
        Scope.extend(scope)
      )
      const { bytes } = yield* allBytes(proc)
      assert.strictEqual(bytes.toString(), "done")
      proc.unsafeReadAhead()
      yield* Scope.close(scope, Exit.void)
      // The terminal's descriptor number is free now and may be reused: it must not be read.
      const file = Path.join(Os.tmpdir(), `effect-pty-read-ahead-${process.pid}`)
      Fs.writeFileSync(file, "not the terminal")
      const reused = Array.from({ length: 8 }, () => Fs.openSync(file, "r"))
      try {
        proc.unsafeReadAhead()
      } finally {
        for (const fd of reused) Fs.closeSync(fd)
        Fs.rmSync(file)
      }
      assert.deepStrictEqual(readAhead, [0, 0])
    }))
})
