/**
 * What the parent-death watchdog (effect-pty, src/internal/watchdog.ts) costs per child:
 * the main-thread time of starting it (one fork + exec of /bin/sh), the time until it is
 * disarmed and reaped, and a PtyProcess spawn/close cycle of `true` (which includes one) for
 * scale, plus the same cycle over pipes with and without it.
 *
 *   npx tsx bench/watchdog.ts [cycles=200]
 */
import { PtyProcess } from "effect-pty"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import * as Watchdog from "../packages/pty/src/internal/watchdog.js"

const cycles = Number(process.argv[2] ?? 200)
const options = { interruptSignal: "SIGINT" as const, interruptTimeoutMillis: 1000, terminateTimeoutMillis: 500 }

const median = (xs: Array<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const p90 = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!
const fmt = (label: string, xs: Array<number>) =>
  console.log(`${label.padEnd(58)} median ${median(xs).toFixed(2)} ms  p90 ${p90(xs).toFixed(2)} ms  (n=${xs.length})`)

const startSync: Array<number> = []
const startToReaped: Array<number> = []
for (let i = 0; i < cycles; i++) {
  const t0 = performance.now()
  const guard = Watchdog.start(process.pid === 1 ? 2 : 999_999, options)
  const t1 = performance.now()
  guard.stop()
  await new Promise<void>((resolve) => guard.onExit(resolve))
  startSync.push(t1 - t0)
  startToReaped.push(performance.now() - t0)
}

const ptyCycle: Array<number> = []
for (let i = 0; i < cycles; i++) {
  const t0 = performance.now()
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const proc = yield* PtyProcess.spawn({ command: "true" })
    yield* Stream.runDrain(proc.output)
  })))
  ptyCycle.push(performance.now() - t0)
}

const pipeCycle = async (guarded: boolean) => {
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    const child = spawn("true", [], { detached: true, stdio: ["ignore", "pipe", "pipe"] })
    const guard = guarded ? Watchdog.start(child.pid!, options) : undefined
    child.on("close", () => {
      if (guard === undefined) return resolve()
      guard.stop()
      guard.onExit(resolve)
    })
  })
  return performance.now() - t0
}
const pipePlain: Array<number> = []
const pipeGuarded: Array<number> = []
for (let i = 0; i < cycles; i++) {
  // interleaved, so load changes hit both alike
  pipePlain.push(await pipeCycle(false))
  pipeGuarded.push(await pipeCycle(true))
}

console.log(
  `load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}, ${cycles} cycles each`
)
fmt("watchdog start (main thread blocked: fork + exec of sh)", startSync)
fmt("watchdog start -> disarmed and reaped", startToReaped)
fmt("PtyProcess spawn `true`, drain, close (with its watchdog)", ptyCycle)
fmt("pipes: spawn `true`, wait for close (no watchdog)", pipePlain)
fmt("pipes: the same with a watchdog, disarmed and reaped", pipeGuarded)
