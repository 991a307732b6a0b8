// Interrupt-to-process-gone latency. The fake runs in its "wait" mode (init and a few deltas,
// then nothing until SIGINT, on which it writes what the real CLI writes and exits, recording
// when it got SIGINT and when it exited). For each sample: wait until the deltas arrived,
// interrupt (our transports: `Fiber.interrupt` of the fiber consuming `ClaudeCode.stream`; the
// raw baselines: `kill(SIGINT)`), then poll `process.kill(pid, 0)` on every event-loop turn until
// it throws ESRCH (the process is gone AND reaped). Latency = (gone - interrupt) minus the fake's
// own SIGINT-to-exit time.
//
// Usage: interrupt.ts TRANSPORT SAMPLES   (TRANSPORT: pipe | pty | raw-pipe | raw-pty)
// Prints one JSON line: {transport, samples: [{latencyMs, toSigintMs, fakeMs, exitToGoneMs, returnMs}]}
import { ClaudeCode } from "effect-claude-code"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import pty from "node-pty"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FAKE, FAKE_ARGS } from "./common.mjs"

const transport = process.argv[2] ?? "pipe"
const samples = Number(process.argv[3] ?? 10)
const WAIT_DELTAS = 10
const now = () => performance.timeOrigin + performance.now()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-interrupt-"))

interface Timing {
  readonly pid: number
  readonly sigint: number | null
  readonly exit: number | null
}
const readTiming = (file: string): Timing => JSON.parse(fs.readFileSync(file, "utf8"))

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false
    throw error
  }
}

/** Resolves at the first event-loop turn on which `pid` is gone. */
const whenGone = (pid: number): Promise<number> =>
  new Promise((resolve) => {
    const check = () => (alive(pid) ? setImmediate(check) : resolve(now()))
    check()
  })

/** Counts text deltas in raw output (pipe or terminal) until WAIT_DELTAS arrived. */
const countDeltas = (onEnough: () => void) => {
  let seen = 0
  let done = false
  return (chunk: string) => {
    if (done) return
    for (let i = chunk.indexOf("text_delta"); i !== -1; i = chunk.indexOf("text_delta", i + 1)) seen++
    if (seen >= WAIT_DELTAS) {
      done = true
      onEnough()
    }
  }
}

/** Starts a run and resolves once the deltas arrived, with the way to interrupt it. */
const start = async (timingFile: string): Promise<{ interrupt: () => Promise<void> }> => {
  const env = {
    ...process.env,
    BENCH_MODE: "wait",
    BENCH_WAIT_DELTAS: String(WAIT_DELTAS),
    BENCH_TIMING_FILE: timingFile
  }
  if (transport === "pipe" || transport === "pty") {
    const ready = Effect.runSync(Deferred.make<void>())
    let deltas = 0
    const fiber = Effect.runFork(
      ClaudeCode.stream("Write a long story", {
        executable: FAKE,
        transport,
        includePartialMessages: true,
        env: { BENCH_MODE: "wait", BENCH_WAIT_DELTAS: String(WAIT_DELTAS), BENCH_TIMING_FILE: timingFile }
      }).pipe(
        Stream.runForEach((event) =>
          event._tag === "StreamEvent" && event.event.type === "content_block_delta" && ++deltas === WAIT_DELTAS
            ? Deferred.succeed(ready, undefined)
            : Effect.void
        )
      )
    )
    await Effect.runPromise(Deferred.await(ready))
    return { interrupt: () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined) }
  }
  if (transport === "raw-pipe") {
    const child = spawn(FAKE, FAKE_ARGS, { stdio: ["ignore", "pipe", "inherit"], env })
    child.stdout.setEncoding("utf8")
    await new Promise<void>((resolve) => child.stdout.on("data", countDeltas(resolve)))
    return {
      interrupt: () =>
        new Promise<void>((resolve) => {
          child.on("exit", () => resolve())
          child.kill("SIGINT")
        })
    }
  }
  if (transport === "raw-pty") {
    const term = pty.spawn(FAKE, FAKE_ARGS, { name: "xterm", cols: 80, rows: 24, cwd: process.cwd(), env })
    await new Promise<void>((resolve) => term.onData(countDeltas(resolve)))
    return {
      interrupt: () =>
        new Promise<void>((resolve) => {
          term.onExit(() => resolve())
          term.kill("SIGINT")
        })
    }
  }
  throw new Error(`unknown transport ${transport}`)
}

const results = []
for (let i = 0; i <= samples; i++) {
  const timingFile = path.join(dir, `timing-${i}.json`)
  const run = await start(timingFile)
  const { pid } = readTiming(timingFile)
  const t0 = now()
  const returned = run.interrupt().then(now)
  const gone = await whenGone(pid)
  const returnedAt = await returned
  const timing = readTiming(timingFile)
  if (timing.sigint === null || timing.exit === null) {
    throw new Error(`the fake did not record its SIGINT and exit: ${JSON.stringify(timing)}`)
  }
  const fakeMs = timing.exit - timing.sigint
  // sample 0 is a warm-up (first use of every code path)
  if (i > 0) {
    results.push({
      latencyMs: round(gone - t0 - fakeMs),
      toSigintMs: round(timing.sigint - t0),
      fakeMs: round(fakeMs),
      exitToGoneMs: round(gone - timing.exit),
      returnMs: round(returnedAt - t0)
    })
  }
}
fs.rmSync(dir, { recursive: true, force: true })
process.stdout.write(JSON.stringify({ transport, samples: results }) + "\n")
process.exit(0)

function round(x: number) {
  return Math.round(x * 1000) / 1000
}
