import type { PtyProcess } from "effect-pty"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"

/** Open file descriptors of this (test worker) process. */
export const openFds = (): number => fs.readdirSync("/proc/self/fd").length

/** Pids whose parent is `parent`, this process by default (zombies included: they are not reaped yet). */
export const childPids = (parent: number = process.pid): Array<number> => {
  const pids: Array<number> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      // pid (comm) state ppid ...; comm may contain spaces and parentheses
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (ppid === parent) pids.push(Number(entry))
    } catch {
      // exited while we looked
    }
  }
  return pids
}

/** `process.kill(pid, 0)` throws ESRCH: the process does not exist (not even as a zombie). */
export const isGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH"
  }
}

/**
 * Gone, or dead and waiting to be reaped. A grandchild is reparented to PID 1 when its parent
 * dies, and PID 1 of this sandbox never reaps, so a killed grandchild stays a zombie forever.
 */
export const isDead = (pid: number): boolean => {
  if (isGone(pid)) return true
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z"
  } catch {
    return true
  }
}

/**
 * Polls until `pid` is dead: a SIGKILL is delivered asynchronously, so a process signalled a
 * moment ago may still be on its way out. Fails after `timeout`.
 */
export const awaitDead = (pid: number, timeout: Duration.DurationInput = "5 seconds") =>
  Effect.suspend(() => isDead(pid) ? Effect.void : Effect.fail(`process ${pid} is still alive`)).pipe(
    Effect.retry(Schedule.spaced("10 millis")),
    Effect.timeoutFail({ duration: timeout, onTimeout: () => `process ${pid} is still alive after the timeout` })
  )

/**
 * Goes on pulling from a `Stream.toPull` to the end of the stream, handing `onChunk` every chunk;
 * fails with the stream's failure.
 */
export const pullToEnd = <A, E, R>(
  pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>,
  onChunk: (chunk: Chunk.Chunk<A>) => Effect.Effect<unknown, never, R>
): Effect.Effect<void, E, R> =>
  pull.pipe(
    Effect.flatMap(onChunk),
    Effect.forever,
    Effect.catchAll(Option.match({ onNone: () => Effect.void, onSome: Effect.fail }))
  )

/** All of the output as one string. */
export const allOutput = (proc: PtyProcess.PtyProcess) => Stream.mkString(proc.output)

/**
 * A reader over `proc.output` that can wait for a marker and then go on reading: `until(text)`
 * reads until the accumulated output contains `text`, `rest` reads to the end. Both return
 * everything read since the reader was created.
 */
export const reader = (proc: PtyProcess.PtyProcess): Effect.Effect<
  {
    readonly until: (text: string) => Effect.Effect<string, unknown>
    readonly rest: Effect.Effect<string, unknown>
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const pull = yield* Stream.toPull(proc.output)
    let text = ""
    let ended = false
    const step = pull.pipe(
      Effect.map((chunk) => {
        text += Chunk.join(chunk, "")
      }),
      Effect.catchAll(Option.match({
        onNone: () =>
          Effect.sync(() => {
            ended = true
          }),
        onSome: Effect.fail
      }))
    )
    const until = (marker: string): Effect.Effect<string, unknown> =>
      Effect.suspend(() =>
        text.includes(marker)
          ? Effect.succeed(text)
          : ended
          ? Effect.fail(`output ended without ${JSON.stringify(marker)}: ${JSON.stringify(text)}`)
          : Effect.zipRight(step, until(marker))
      )
    const rest: Effect.Effect<string, unknown> = Effect.suspend(() =>
      ended ? Effect.succeed(text) : Effect.zipRight(step, rest)
    )
    return { until, rest }
  })

/** A `sh -c` script. */
export const sh = (script: string, options: Partial<PtyProcess.SpawnOptions> = {}): PtyProcess.SpawnOptions => ({
  command: "sh",
  args: ["-c", script],
  ...options
})

/**
 * A short escalation for tests: each step bounded by `millis`, except the wait after SIGKILL,
 * which only runs out if the kernel takes that long to end a process. A busy machine can take
 * more than a few milliseconds; then the release would go on while the child is not reaped yet.
 */
export const quickShutdown = (millis: number): PtyProcess.ShutdownOptions => ({
  gracePeriod: `${millis} millis`,
  interruptSignal: "SIGINT",
  interruptTimeout: `${millis} millis`,
  terminateTimeout: `${millis} millis`,
  killTimeout: "5 seconds"
})
