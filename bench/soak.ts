/**
 * Soak: leaks, load and cancel storms at full counts, printing the figures (file descriptors,
 * child processes and heap after a forced GC, before and after; time; outcomes). The same
 * scenarios run at smaller counts in packages/claude-code/test/Load.test.ts.
 *
 *   npx tsx bench/soak.ts                       # 1000 sequential, 64 concurrent fake (x5), 16 real, 16 streaming
 *                                               # sessions x 5 turns, 200 cancel storm
 *   npx tsx bench/soak.ts --sequential 200 --concurrent 32 --real 8 --storm 100 --storm-concurrency 8
 *   npx tsx bench/soak.ts --only storm          # one scenario (sequential, concurrent, real, sessions, storm)
 *   npx tsx bench/soak.ts --rounds 3            # each scenario 3 times: is the heap flat from round to round?
 *
 * Exits 1 if any run gave a wrong result or left something behind.
 */
import * as Effect from "effect/Effect"
import * as os from "node:os"
import * as Load from "../packages/claude-code/test/utils/load.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const onlyIndex = process.argv.indexOf("--only")
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1]!.split(",") : undefined
const wanted = (name: string) => only === undefined || only.includes(name)

const scenarios = [
  ["sequential", () => Load.sequential(arg("sequential", 1000))],
  ["concurrent", () => Load.concurrentFake(arg("concurrent", 64), arg("concurrent-rounds", 5))],
  ["real", () => Load.concurrentReal(arg("real", 16))],
  ["sessions", () => Load.concurrentSessions(arg("sessions", 16), arg("turns", 5))],
  ["storm", () => Load.cancelStorm(arg("storm", 200), arg("storm-concurrency", 8), arg("seed", 1))]
] as const

const program = Effect.gen(function*() {
  console.log(
    `node ${process.version}, ${os.cpus().length} cores, load average ${
      os.loadavg().map((x) => x.toFixed(2)).join(" ")
    }`
  )
  let failed = false
  const rounds = arg("rounds", 1)
  for (const [name, make] of scenarios) {
    if (!wanted(name)) continue
    for (let round = 1; round <= rounds; round++) {
      const figures = yield* Effect.scoped(make())
      console.log((rounds > 1 ? `[round ${round}] ` : "") + Load.format(figures))
      if (figures.problems.length > 0) {
        failed = true
        for (const problem of figures.problems) console.log(`  ${problem}`)
      }
    }
  }
  const rss = process.memoryUsage().rss
  console.log(
    `load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}, rss ${(rss / 1024 / 1024).toFixed(0)} MB`
  )
  return failed
})

Effect.runPromise(program).then((failed) => process.exit(failed ? 1 : 0))
