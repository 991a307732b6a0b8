/**
 * Leak, load and cancel-storm scenarios, shared by test/Load.test.ts (small counts) and
 * bench/soak.ts (the full counts). Each returns its figures and a list of problems (empty when
 * everything was right), so the test asserts and the soak script prints. No vitest import here:
 * bench/soak.ts runs it outside the test runner.
 */
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as ClaudeCode from "../../src/ClaudeCode.js"
import * as ClaudeEnv from "../../src/ClaudeEnv.js"
import * as ModelServer from "../../src/ModelServer.js"
import * as Session from "../../src/Session.js"
import { prng } from "./fixtures.js"

/** The fake CLI script. */
export const fakeClaude = Path.resolve(import.meta.dirname, "../fake-claude/fake-claude.mjs")

const quickShutdown = {
  gracePeriod: "100 millis",
  interruptTimeout: "200 millis",
  terminateTimeout: "200 millis",
  killTimeout: "2 seconds"
} as const

// -----------------------------------------------------------------------------
// Measurements
// -----------------------------------------------------------------------------

let gcFunction: (() => void) | undefined
/** A full garbage collection (`--expose-gc` is switched on at run time when node was not started with it). */
export const gc = (): void => {
  if (gcFunction === undefined) {
    if (typeof globalThis.gc === "function") {
      gcFunction = globalThis.gc as () => void
    } else {
      v8.setFlagsFromString("--expose-gc")
      gcFunction = vm.runInNewContext("gc") as () => void
    }
  }
  // twice: weak references cleared by the first are collected by the second
  gcFunction()
  gcFunction()
}

const procStat = (pid: number): { readonly state: string; readonly ppid: number } | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return { state: fields[0]!, ppid: Number(fields[1]) }
  } catch {
    return undefined
  }
}

/** Direct children of this process (zombies included: not reaped yet is not gone). */
export const childPids = (): ReadonlyArray<number> =>
  Fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) =>
    procStat(pid)?.ppid === process.pid
  )

/** Gone, or a zombie of another parent (PID 1 of this sandbox may not reap orphans). */
export const isDead = (pid: number): boolean => {
  const stat = procStat(pid)
  return stat === undefined || stat.state === "Z"
}

/** What a scenario is judged by. */
export interface Snapshot {
  readonly fds: number
  readonly children: number
  /** `heapUsed` after a full GC, bytes. */
  readonly heap: number
}

export const snapshot = (): Snapshot => {
  gc()
  return {
    fds: Fs.readdirSync("/proc/self/fd").length,
    children: childPids().length,
    heap: process.memoryUsage().heapUsed
  }
}

/** What a scenario reports. */
export interface Figures {
  readonly name: string
  readonly runs: number
  readonly before: Snapshot
  readonly after: Snapshot
  readonly millis: number
  /** Free-form counts (outcomes of a cancel storm, ...). */
  readonly counts: Readonly<Record<string, number>>
  /** What went wrong; empty when every run was right and nothing was left. */
  readonly problems: ReadonlyArray<string>
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

/** One line per scenario. */
export const format = (figures: Figures): string =>
  [
    `${figures.name}: ${figures.runs} runs in ${(figures.millis / 1000).toFixed(1)} s`,
    `fds ${figures.before.fds} -> ${figures.after.fds}`,
    `children ${figures.before.children} -> ${figures.after.children}`,
    `heap ${mb(figures.before.heap)} -> ${mb(figures.after.heap)} MB`,
    ...Object.entries(figures.counts).map(([key, value]) => `${key} ${value}`),
    figures.problems.length === 0
      ? "OK"
      : `PROBLEMS (${figures.problems.length}): ${figures.problems.slice(0, 5).join("; ")}`
  ].join(", ")

/**
 * Waits, with a bounded deadline, until the process table and the descriptors are back to
 * `before` (a process signalled at the end of a run is gone a moment later on a busy machine; a
 * socket of the model server closes once it has read the CLI's end of the connection), and reports
 * the CLI processes still left.
 */
const settle = (before: Snapshot, pids: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    for (;;) {
      const alive = pids.filter((pid) => !isDead(pid))
      const settled = alive.length === 0 && childPids().length <= before.children &&
        Fs.readdirSync("/proc/self/fd").length <= before.fds
      if (settled || Date.now() > deadline) return alive
      yield* Effect.sleep("20 millis")
    }
  })

/** Runs `body`, takes snapshots around it (after a warm-up run of `warmUp`), and collects problems. */
const scenario = <R>(
  name: string,
  runs: number,
  warmUp: Effect.Effect<unknown, unknown, R>,
  body: (problems: Array<string>, pids: Array<number>, counts: Record<string, number>) => Effect.Effect<void, never, R>
): Effect.Effect<Figures, never, R> =>
  Effect.gen(function*() {
    // The first runs open what Node keeps for good (signal pipes, libuv's threads, caches).
    yield* Effect.ignore(warmUp)
    const before = snapshot()
    const problems: Array<string> = []
    const pids: Array<number> = []
    const counts: Record<string, number> = {}
    const start = Date.now()
    yield* body(problems, pids, counts)
    const millis = Date.now() - start
    const left = yield* settle(before, pids)
    const after = snapshot()
    if (left.length > 0) problems.push(`processes left running: ${left.join(" ")}`)
    if (after.children > before.children) problems.push(`child processes: ${before.children} -> ${after.children}`)
    if (after.fds > before.fds) problems.push(`file descriptors: ${before.fds} -> ${after.fds}`)
    return { name, runs, before, after, millis, counts, problems }
  })

const describeCause = (cause: Cause.Cause<unknown>) => Cause.pretty(cause).split("\n")[0]

// -----------------------------------------------------------------------------
// Scenarios
// -----------------------------------------------------------------------------

const transports = ["pty", "pipe"] as const

/** A fresh directory for a scenario's runs. */
const workDir = (prefix: string): Effect.Effect<string, never, Scope.Scope> => ClaudeEnv.tempDirectory(prefix)

const fakeRun = (cwd: string, transport: ClaudeCode.Transport, prompt: string) =>
  ClaudeCode.run(prompt, {
    executable: fakeClaude,
    cwd,
    transport,
    env: { FAKE_CLAUDE_MODE: "echo" },
    shutdown: quickShutdown
  })

/** `runs` runs of the fake CLI one after the other, alternating transports; every result checked. */
export const sequential = (runs: number): Effect.Effect<Figures, never, Scope.Scope> =>
  Effect.gen(function*() {
    const cwd = yield* workDir("claude-soak-seq-")
    return yield* scenario(
      "sequential fake runs",
      runs,
      // enough for the JIT and Effect's caches to settle: the heap is flat after that
      Effect.forEach(Array.from({ length: 20 }, (_, i) => i), (i) => fakeRun(cwd, transports[i % 2]!, "warm up")),
      (problems, _pids, counts) =>
        Effect.forEach(Array.from({ length: runs }, (_, i) => i), (i) => {
          const prompt = `sequential run ${i}`
          if (i === Math.floor(runs / 2)) counts["heap at half (MB)"] = Number(mb(snapshot().heap))
          return fakeRun(cwd, transports[i % 2]!, prompt).pipe(
            Effect.matchCause({
              onFailure: (cause) => problems.push(`run ${i}: ${describeCause(cause)}`),
              onSuccess: (result) => {
                if (result.text !== prompt) problems.push(`run ${i}: result ${JSON.stringify(result.text)}`)
              }
            })
          )
        }, { discard: true })
    )
  })

/**
 * `rounds` rounds of `runs` runs of the fake CLI at once, half on each transport; every result
 * checked. A first round, not counted, warms up, so the heap figures show what the counted rounds
 * leave behind (a run kept alive by a stuck fiber shows up here, not in sequential runs).
 */
export const concurrentFake = (runs: number, rounds = 1): Effect.Effect<Figures, never, Scope.Scope> =>
  Effect.gen(function*() {
    const cwd = yield* workDir("claude-soak-par-")
    const round = (problems: Array<string>, r: number) =>
      Effect.forEach(Array.from({ length: runs }, (_, i) => i), (i) => {
        const prompt = `concurrent run ${r}.${i}`
        return fakeRun(cwd, transports[i % 2]!, prompt).pipe(
          Effect.matchCause({
            onFailure: (cause) => problems.push(`run ${r}.${i}: ${describeCause(cause)}`),
            onSuccess: (result) => {
              if (result.text !== prompt) problems.push(`run ${r}.${i}: result ${JSON.stringify(result.text)}`)
            }
          })
        )
      }, { concurrency: "unbounded", discard: true })
    return yield* scenario(
      `concurrent fake runs (${runs} at once, ${rounds} rounds)`,
      runs * rounds,
      round([], -1),
      (problems) =>
        Effect.forEach(Array.from({ length: rounds }, (_, r) => r), (r) => round(problems, r), { discard: true })
    )
  })

/**
 * `runs` runs of the real CLI at once against one loopback model server, half on each transport;
 * each result must quote its own prompt.
 */
export const concurrentReal = (runs: number): Effect.Effect<Figures, never, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* Effect.orDie(ModelServer.make())
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* workDir("claude-soak-real-")
    const realRun = (transport: ClaudeCode.Transport, prompt: string) =>
      ClaudeCode.run(prompt, {
        executable: claude.executable,
        env: claude.env,
        cwd,
        transport,
        // the CLI exits by itself right after its result (and saves its session first)
        shutdown: { gracePeriod: "1 minute" }
      })
    return yield* scenario(
      "concurrent real CLI runs",
      runs,
      realRun("pipe", "warm up"),
      (problems) =>
        Effect.forEach(Array.from({ length: runs }, (_, i) => i), (i) => {
          const prompt = `real run number ${i}`
          return realRun(transports[i % 2]!, prompt).pipe(
            Effect.matchCause({
              onFailure: (cause) => problems.push(`run ${i}: ${describeCause(cause)}`),
              onSuccess: (result) => {
                if (!result.text.includes(prompt) || result.sessionId === undefined) {
                  problems.push(`run ${i}: result ${JSON.stringify(result.text)}`)
                }
              }
            })
          )
        }, { concurrency: "unbounded", discard: true })
    )
  })

/**
 * `sessions` streaming-input sessions at once (`Session.makeStreaming`: one long-lived real CLI
 * process each, fed its turns on stdin), `turns` turns each, against one loopback model server;
 * each turn's result must quote its own prompt and keep the session's id. Every session's scope is
 * closed at its end: its process must be gone.
 */
export const concurrentSessions = (
  sessions: number,
  turns: number
): Effect.Effect<Figures, never, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* Effect.orDie(ModelServer.make())
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* workDir("claude-soak-sessions-")
    const options: ClaudeCode.Options = {
      executable: claude.executable,
      env: claude.env,
      cwd,
      shutdown: { gracePeriod: "1 minute" }
    }
    const conversation = (problems: Array<string>, s: number, turnCount: number) =>
      Effect.scoped(Effect.gen(function*() {
        const session = yield* Session.makeStreaming(options)
        let id: string | undefined
        for (let t = 0; t < turnCount; t++) {
          const prompt = `session ${s} turn ${t}`
          const result = yield* session.run(prompt)
          if (!result.text.includes(prompt) || result.sessionId === undefined) {
            problems.push(`${prompt}: result ${JSON.stringify(result.text)}`)
          }
          if (id !== undefined && result.sessionId !== id) {
            problems.push(`${prompt}: session id ${result.sessionId} after ${id}`)
          }
          id = result.sessionId
        }
      })).pipe(
        Effect.catchAllCause((cause) => Effect.sync(() => problems.push(`session ${s}: ${describeCause(cause)}`)))
      )
    return yield* scenario(
      `concurrent streaming sessions (${sessions} at once, ${turns} turns each)`,
      sessions * turns,
      conversation([], -1, 1),
      (problems) =>
        Effect.forEach(Array.from({ length: sessions }, (_, s) => s), (s) => conversation(problems, s, turns), {
          concurrency: "unbounded",
          discard: true
        })
    )
  })

/** Fake CLI behaviours for the cancel storm: finishing fast, mid-stream, hanging after the result, stubborn. */
const stormModes = ["echo", "wait-for-sigint", "result-then-hang", "init-then-silent", "ignore-signals"] as const

/**
 * `runs` runs, `concurrency` at a time, each stopped at a random moment (from right after it was
 * started, during the spawn, to well after its result, during the shutdown): by interrupting its
 * fiber, or by its `cancel` Deferred. Every fiber must be finished (`Fiber.interrupt` returned, or
 * the run ended with its result or a typed error), and no CLI process may be left.
 */
export const cancelStorm = (runs: number, concurrency: number, seed = 1): Effect.Effect<Figures, never, Scope.Scope> =>
  Effect.gen(function*() {
    const cwd = yield* workDir("claude-soak-storm-")
    const random = prng(seed)
    const plans = Array.from({ length: runs }, (_, i) => ({
      i,
      mode: stormModes[Math.floor(random() * stormModes.length)]!,
      transport: transports[Math.floor(random() * 2)]!,
      // 0 (during the spawn) to 600 ms (after the result, during the shutdown, for the fast modes)
      delay: random() < 0.15 ? 0 : Math.floor(random() * 600),
      how: random() < 0.5 ? "interrupt" as const : "cancel" as const
    }))
    return yield* scenario(
      "cancel storm",
      runs,
      fakeRun(cwd, "pty", "warm up"),
      (problems, pids, counts) =>
        Effect.forEach(plans, ({ delay, how, i, mode, transport }) =>
          Effect.gen(function*() {
            const pidFile = Path.join(cwd, `pid-${i}`)
            const cancel = yield* Deferred.make<void>()
            const fiber = yield* ClaudeCode.stream(`storm ${i}`, {
              executable: fakeClaude,
              cwd,
              transport,
              env: { FAKE_CLAUDE_MODE: mode, FAKE_CLAUDE_PID_FILE: pidFile },
              shutdown: quickShutdown,
              ...(how === "cancel" ? { cancel } : {})
            }).pipe(Stream.runDrain, Effect.fork)
            if (delay > 0) yield* Effect.sleep(delay)
            const exit = how === "interrupt"
              ? yield* Fiber.interrupt(fiber)
              : yield* Deferred.succeed(cancel, void 0).pipe(Effect.zipRight(Fiber.await(fiber)))
            if (Option.isNone(yield* Fiber.poll(fiber))) problems.push(`run ${i}: the fiber is not finished`)
            const outcome = Exit.isSuccess(exit)
              ? "completed"
              : Cause.isInterruptedOnly(exit.cause)
              ? "interrupted"
              : Option.match(Cause.failureOption(exit.cause), {
                onNone: () => "defect",
                onSome: (error) => error._tag
              })
            counts[outcome] = (counts[outcome] ?? 0) + 1
            if (outcome === "defect" && Exit.isFailure(exit)) {
              problems.push(`run ${i} (${mode}, ${transport}): ${describeCause(exit.cause)}`)
            }
            // Cancelled, or what the mode ends with when it finished before the cancel arrived.
            const expected = how === "interrupt"
              ? ["interrupted", "completed", "ClaudeFailure"]
              : ["Cancelled", "completed", "ClaudeFailure"]
            if (!expected.includes(outcome)) problems.push(`run ${i} (${mode}, ${transport}, ${how}): ${outcome}`)
            if (Fs.existsSync(pidFile)) pids.push(Number(Fs.readFileSync(pidFile, "utf8")))
          }), { concurrency, discard: true })
    )
  })
