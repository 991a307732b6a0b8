/**
 * What the parent-death watchdog (effect-pty, src/internal/watchdog.ts) costs per child: one
 * `/bin/sh` per process, started with the first guard (one fork + exec of sh), then a line on its
 * pipe to arm a guard and one to disarm it; a PtyProcess spawn/close cycle of `true` (which arms
 * and disarms one) for scale, plus the same cycle over pipes with and without a guard.
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

// the first guard of the process starts the watchdog
const t0 = performance.now()
Watchdog.start(process.pid === 1 ? 2 : 999_999, options).stop()
const firstGuard = performance.now() - t0

const forkSh: Array<number> = []
const armDisarm: Array<number> = []
for (let i = 0; i < cycles; i++) {
  // for scale: what starting the watchdog costs (a fork + exec of sh, as before it was shared)
  const t1 = performance.now()
  spawn("/bin/sh", ["-c", "exit 0"], { stdio: "ignore" })
  forkSh.push(performance.now() - t1)
  const t2 = performance.now()
  Watchdog.start(process.pid === 1 ? 2 : 999_999, options).stop()
  armDisarm.push(performance.now() - t2)
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
      guard?.stop()
      resolve()
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
  `load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}, ${cycles} cycles each, ${
    (process.memoryUsage().rss / 2 ** 20).toFixed(0)
  } MiB RSS`
)
console.log(`${"first guard of the process (starts the watchdog)".padEnd(58)} ${firstGuard.toFixed(2)} ms`)
fmt("a fork + exec of sh (main thread blocked), for scale", forkSh)
fmt("a guard armed and disarmed (two lines on the pipe)", armDisarm)
fmt("PtyProcess spawn `true`, drain, close (with its guard)", ptyCycle)
fmt("pipes: spawn `true`, wait for close (no guard)", pipePlain)
fmt("pipes: the same with a guard, armed and disarmed", pipeGuarded)
