import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { EventEmitter } from "node:events"
import * as internal from "../src/internal/ptyProcess.js"
import { type MasterStream, Reader, type Taken } from "../src/internal/reader.js"
import { pullToEnd, sh } from "./helpers.js"

/** The part of a `MasterStream` the reader uses: reads are `emit("data", bytes)`, the end `emit("stopped", null)`. */
class FakeSocket extends EventEmitter {
  destroyed = false
  pauses = 0
  pause() {
    this.pauses++
    return this
  }
  resume() {
    return this
  }
  closeFd() {
    this.destroyed = true
  }
}

const makeReader = (highWaterMark = 1024 * 1024) => {
  const socket = new FakeSocket()
  const reader = new Reader(socket as unknown as MasterStream, -1, highWaterMark, 200, undefined)
  return { socket, reader, read: (text: string) => socket.emit("data", Buffer.from(text)) }
}

/** Resolves after `turns` turns of the event loop (each `setImmediate` runs in the next one). */
const turns = (count: number) =>
  Effect.async<void>((resume) => {
    const next = (left: number) => left === 0 ? resume(Effect.void) : setImmediate(() => next(left - 1))
    next(count)
  })

/** The reads a take returned, as text (they are kept as bytes). */
const texts = (taken: Taken | undefined): Array<string> => {
  assert.strictEqual(taken?._tag, "Chunks")
  return taken?._tag === "Chunks" ? taken.chunks.map((read) => read.toString("utf8")) : []
}

describe("Reader", () => {
  it.live("wakes a waiting consumer once for reads in successive loop turns, one turn after the last", () =>
    Effect.gen(function*() {
      const { read, reader } = makeReader()
      let wakes = 0
      reader.await(() => wakes++)
      // One read per turn, as a terminal read by libuv delivers them.
      for (const text of ["a", "b", "c"]) {
        read(text)
        yield* turns(1)
      }
      assert.strictEqual(wakes, 0)
      yield* turns(1)
      assert.strictEqual(wakes, 1)
      assert.deepStrictEqual(texts(reader.take()), ["a", "b", "c"])
      assert.isUndefined(reader.take())
    }))

  it("wakes at once when the coalesced reads reach 64 KiB", () => {
    const { read, reader } = makeReader()
    let wakes = 0
    reader.await(() => wakes++)
    for (let i = 0; i < 15; i++) read("x".repeat(4096))
    assert.strictEqual(wakes, 0)
    read("x".repeat(4096))
    assert.strictEqual(wakes, 1)
    assert.strictEqual(texts(reader.take()).join("").length, 16 * 4096)
  })

  it("wakes at once when reading pauses at the high-water mark", () => {
    const { read, reader, socket } = makeReader(100)
    let wakes = 0
    reader.await(() => wakes++)
    read("x".repeat(60))
    assert.strictEqual(wakes, 0)
    read("x".repeat(60))
    assert.strictEqual(socket.pauses, 1)
    assert.strictEqual(wakes, 1)
  })

  it("wakes at once at the end of the output, with what was read before it", () => {
    const { read, reader, socket } = makeReader()
    let wakes = 0
    reader.await(() => wakes++)
    read("last")
    socket.emit("stopped", null)
    assert.strictEqual(wakes, 1)
    assert.deepStrictEqual(texts(reader.take()), ["last"])
    assert.deepStrictEqual(reader.take(), { _tag: "End" })
  })

  it.live("a cancelled wait is not woken by a deferred wake-up", () =>
    Effect.gen(function*() {
      const { read, reader } = makeReader()
      let wakes = 0
      const cancel = reader.await(() => wakes++)
      read("a")
      cancel()
      yield* turns(3)
      assert.strictEqual(wakes, 0)
      assert.deepStrictEqual(texts(reader.take()), ["a"])
    }))

  it.scopedLive("a pull takes everything read since the last one, as one chunk", () =>
    Effect.gen(function*() {
      const highWaterMark = 32 * 1024
      const paused = yield* Deferred.make<{ readonly buffered: number; readonly reads: number }>()
      const proc = yield* internal.make({ ...sh("head -c 100000 /dev/zero | tr '\\0' d"), highWaterMark }, {
        onPause: (buffered, reads) => Deferred.unsafeDone(paused, Effect.succeed({ buffered, reads }))
      })
      // Nobody pulls until reading pauses: by then several reads are buffered (a terminal read
      // gives a few KiB; how many is the kernel's business, so the reader reports the count).
      const { buffered, reads } = yield* Deferred.await(paused)
      assert.isAbove(reads, 1)
      const pull = yield* Stream.toPull(proc.output)
      const first = yield* pull
      assert.strictEqual(Chunk.size(first), reads)
      assert.strictEqual(Chunk.join(first, "").length, buffered)
      let rest = 0
      yield* pullToEnd(pull, (chunk) => Effect.sync(() => rest += Chunk.join(chunk, "").length))
      assert.strictEqual(buffered + rest, 100_000)
    }))
})
