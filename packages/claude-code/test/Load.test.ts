/**
 * Leaks, load and cancel storms at counts that fit the test suite (bench/soak.ts runs the same
 * scenarios, test/utils/load.ts, at full counts: 1000 sequential, 64 + 16 concurrent, 200 cancels).
 * Every run's result is checked; afterwards the file descriptors and child processes of this
 * process are back to where they were, every CLI process is gone, and the heap (after a full GC)
 * has not grown with the number of runs.
 *
 * Not concurrent: the scenarios count this process's descriptors and children.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Load from "./utils/load.js"

const check = (figures: Load.Figures) => {
  console.log(Load.format(figures))
  assert.deepStrictEqual(figures.problems, [])
  assert.strictEqual(figures.after.fds, figures.before.fds, "file descriptors")
  assert.strictEqual(figures.after.children, figures.before.children, "child processes")
}

const MB = 1024 * 1024

describe("load", () => {
  it.scopedLive(
    "200 sequential fake runs: right results, no descriptor, process or heap growth",
    () =>
      Effect.gen(function*() {
        const figures = yield* Load.sequential(200)
        check(figures)
        // flat after the warm-up (~3 KB per run over 1000 runs in bench/soak.ts, all of it early):
        // keeping even a few KB of every run would exceed this
        assert.isBelow(figures.after.heap - figures.before.heap, 4 * MB, Load.format(figures))
      }),
    300_000
  )

  it.scopedLive(
    "64 concurrent fake runs, half on each transport, twice: right results, nothing left, no heap growth",
    () =>
      Effect.gen(function*() {
        const figures = yield* Load.concurrentFake(64, 2)
        check(figures)
        // a run kept alive by a fiber that never ends (as @effect/platform's stdin writer did)
        // keeps ~50 KB: 6 MB over these 128 runs
        assert.isBelow(figures.after.heap - figures.before.heap, 3 * MB, Load.format(figures))
      }),
    300_000
  )

  it.scopedLive(
    "16 concurrent real CLI runs against the loopback model server: right results, nothing left",
    () =>
      Effect.gen(function*() {
        check(yield* Load.concurrentReal(16))
      }),
    300_000
  )

  it.scopedLive(
    "8 concurrent streaming sessions of 3 turns against the loopback model server: right results, nothing left",
    () =>
      Effect.gen(function*() {
        check(yield* Load.concurrentSessions(8, 3))
      }),
    300_000
  )

  it.scopedLive(
    "cancel storm: 100 runs stopped at random moments, 8 at a time: every fiber done, nothing left",
    () =>
      Effect.gen(function*() {
        const figures = yield* Load.cancelStorm(100, 8)
        check(figures)
        // the storm reached every way of ending
        for (const outcome of ["interrupted", "Cancelled", "completed"]) {
          assert.isAbove(figures.counts[outcome] ?? 0, 5, Load.format(figures))
        }
      }),
    300_000
  )
})
