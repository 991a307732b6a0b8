import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import { PtyProcess } from "effect-pty"
import * as Cause from "effect/Cause"
import type * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { constVoid } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ClaudeError from "../ClaudeError.js"
import { decodeUtf8 } from "./lines.js"
import type { ExitInfo, Spawn } from "./transport.js"

const STDERR_LINES = 40

/**
 * After the CLI has exited, how long its stdout may stay silent, while the consumer keeps up,
 * before the output ends without an end of file (a process it started still holds the pipe).
 * The terminal transport waits as long (effect-pty, like node-pty, uses 200 ms).
 */
const DRAIN_WINDOW_MILLIS = 200

let executor: CommandExecutor.CommandExecutor | undefined

/**
 * The command executor, built once (it holds no resources). Its file system is only used to check
 * that the working directory exists, which `PtyProcess.preflight` has done before (with a typed
 * reason): a file system whose `access` succeeds spares building Node's (and loading its 31 KB)
 * for every run.
 */
const commandExecutor = (): CommandExecutor.CommandExecutor =>
  executor ??= Effect.runSync(
    Effect.provide(
      CommandExecutor.CommandExecutor,
      NodeCommandExecutor.layer.pipe(Layer.provide(FileSystem.layerNoop({ access: () => Effect.void })))
    )
  )

const signalName = (signal: string | null): string | null => signal

/**
 * The CLI over plain pipes, through `@effect/platform`'s command executor. stdout carries the
 * events; stderr is drained separately and its tail kept for error messages; stdin carries the
 * prompt when it is too large for argv and is closed at once otherwise (an open, silent stdin
 * makes the CLI wait 3 s). The executor only ever sends SIGTERM and then waits forever, so the
 * same escalation as the PTY transport (interrupt signal, SIGTERM, SIGKILL, each bounded) runs
 * first, from a finalizer registered after the executor's own.
 *
 * @internal
 */
export const spawnPipe: Spawn = (spec) =>
  Effect.gen(function*() {
    const toSpawnError = (reason: ClaudeError.SpawnError["reason"], cause: unknown) =>
      new ClaudeError.SpawnError({ executable: spec.command, cwd: spec.cwd, reason, cause })
    // The same checks the PTY transport makes, so both report the same typed reasons, and so
    // E2BIG (thrown synchronously by child_process.spawn) can never escape as a defect.
    yield* PtyProcess.preflight({ command: spec.command, args: spec.args, cwd: spec.cwd }).pipe(
      Effect.mapError((error) => toSpawnError(error.reason, error))
    )
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries({ ...process.env, ...spec.env })) {
      if (value !== undefined) env[key] = value
    }
    const command = Command.make(spec.command, ...spec.args).pipe(
      Command.env(env, { extendEnv: false }),
      // Not a Stream here: the executor would write it from a daemon fiber that, after end(),
      // waits for the pipe's "finish" event, which never comes when the pipe fails or closes
      // first (a CLI that exits at once); such a fiber never ends and keeps the whole run in
      // memory (~50 KB a run, seen under concurrency). stdin is written below by a fiber of this
      // scope instead, interrupted when the scope closes.
      Command.stdin("pipe"),
      spec.cwd !== undefined ? Command.workingDirectory(spec.cwd) : (c) => c
    )
    const proc = yield* commandExecutor().start(command).pipe(
      Effect.mapError((cause) => toSpawnError("Unknown", cause))
    )
    const pid = proc.pid
    // Its finalizer runs after the escalation's: a stream of input (a streaming session) can end,
    // closing stdin, while the CLI is given its grace period.
    yield* Stream.run(
      spec.stdin === undefined
        ? Stream.empty
        : typeof spec.stdin === "string"
        ? Stream.make(new TextEncoder().encode(spec.stdin))
        : spec.stdin,
      proc.stdin
    ).pipe(Effect.ignore, Effect.forkScoped)
    // Nothing tells a child on pipes that this process died (a silent one never even hits
    // EPIPE): the watchdog stops its process group then. Its finalizer runs after the
    // escalation's (finalizers run in reverse order).
    yield* PtyProcess.watchdog(pid, spec.shutdown)

    const exited = yield* Deferred.make<ExitInfo>()
    // The executor's exitCode fails for a signal death; recover the signal from the error.
    yield* proc.exitCode.pipe(
      Effect.map((code): ExitInfo => ({ exitCode: code, signal: null })),
      Effect.catchAll((error) =>
        Effect.succeed<ExitInfo>({
          exitCode: null,
          signal: signalName(/signal: (\w+)/.exec(String(error.cause ?? error.message))?.[1] ?? null)
        })
      ),
      Effect.flatMap((info) => Deferred.succeed(exited, info)),
      Effect.forkScoped
    )

    const stderrLines: Array<string> = []
    const stderrFiber = yield* proc.stderr.pipe(
      decodeUtf8,
      Stream.splitLines,
      Stream.runForEach((line) =>
        Effect.sync(() => {
          if (stderrLines.length >= STDERR_LINES) stderrLines.shift()
          stderrLines.push(line.length > 2000 ? line.slice(0, 2000) + "…" : line)
        })
      ),
      Effect.ignore,
      Effect.forkScoped
    )

    // stdout is pulled on demand, in this scope: by the consumer while it reads the output, then,
    // once it has stopped (an interrupted run), by a drain that discards what the CLI still writes
    // until the escalation below has seen the process exit. @effect/platform destroys the pipe as
    // soon as a stream over it ends: with the stream ended by the consumer, the CLI would write
    // its last lines (after SIGINT: the interrupted turn and its result) into a closed pipe, fail
    // with EPIPE and hang until SIGTERM, without saving the session. Pulled here, the stream ends
    // when this scope closes, after the escalation (finalizers run in reverse order).
    // The consumer pulls the platform's stream itself, with no fiber in between: a reader fiber
    // handing each read over cost a 100k-event fold ~35 ms of CPU, and its reads outlived
    // young-generation GCs (~20 MiB more at the peak; bench/README.md, "Memory").
    const pullStdout = yield* Stream.toPull(proc.stdout)
    const killGroup = () => {
      try {
        process.kill(-pid, "SIGKILL")
      } catch {
        // nothing left
      }
    }
    // For the drain window below: when the last pull ended, and since when one is waiting (also
    // keeps the drain's pulls from starting while a consumer's is being interrupted).
    let lastRead = performance.now()
    let waitingSince: number | undefined
    const pullOnce = Effect.suspend(() => {
      waitingSince = performance.now()
      return Effect.ensuring(
        pullStdout,
        Effect.sync(() => {
          waitingSince = undefined
          lastRead = performance.now()
        })
      )
    })
    // Normally stdout ends at end of file, when the CLI has exited. A process it started that
    // inherited stdout (a grandchild) keeps the pipe open: then the output ends once nothing has
    // arrived for the drain window since the exit, not counting the time a slow consumer holds
    // the reading up (between its pulls). What that process writes later is dropped, as on a
    // terminal. A pull that starts after the exit races the window's end. One already waiting
    // when the CLI exits cannot be raced (racing every pull forks fibers: +120 ms of CPU at a
    // 100k-event fold); at the window's end the rest of the CLI's process group is killed
    // instead, which closes the pipe. A process that left the group and holds stdout open keeps
    // such a pull waiting until it exits (an `idleTimeout` bounds it).
    const ended = yield* Deferred.make<void>()
    let exitSeen = false
    const quiet: Effect.Effect<void> = Effect.suspend(() => {
      // only a pull that is waiting counts: a consumer busy between its pulls holds nothing up
      const idle = waitingSince === undefined ? 0 : performance.now() - Math.max(lastRead, waitingSince)
      if (idle >= DRAIN_WINDOW_MILLIS) return Effect.void
      return Effect.sleep(Math.max(DRAIN_WINDOW_MILLIS - idle, 10)).pipe(
        // one more poll phase first: data already in the kernel is read before the check runs
        Effect.zipRight(Effect.async<void>((resume) => {
          const immediate = setImmediate(() => resume(Effect.void))
          return Effect.sync(() => clearImmediate(immediate))
        })),
        Effect.zipRight(quiet)
      )
    })
    yield* Deferred.await(exited).pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          lastRead = performance.now()
          exitSeen = true
        })
      ),
      Effect.zipRight(quiet),
      Effect.zipRight(Deferred.succeed(ended, undefined)),
      Effect.zipRight(Effect.sync(() => {
        if (waitingSince !== undefined) killGroup()
      })),
      Effect.forkScoped
    )
    const readError = (cause: Cause.Cause<Option.Option<unknown>>): Option.Option<ClaudeError.ReadError> => {
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure) && Option.isNone(failure.value)) return Option.none() // end of file
      return Option.some(
        new ClaudeError.ReadError({
          cause: Option.isSome(failure) ? Option.getOrUndefined(failure.value) : Cause.squash(cause)
        })
      )
    }
    const read: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<ClaudeError.ReadError>> = Effect.catchAllCause(
      pullOnce,
      (cause): Effect.Effect<never, Option.Option<ClaudeError.ReadError>> =>
        Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.fail(readError(cause))
    )
    const endOfWindow = Effect.zipRight(Deferred.await(ended), Effect.fail(Option.none()))
    const next = Effect.suspend(() => exitSeen ? Effect.raceFirst(read, endOfWindow) : read)

    // Once the consumer is gone, what the CLI still writes is read and dropped.
    const gone = yield* Deferred.make<void>()
    const drain: Effect.Effect<void> = Effect.suspend(() =>
      // a consumer's pull that raced the window's end may still be being interrupted: wait it out
      waitingSince !== undefined
        ? Effect.zipRight(Effect.sleep(1), drain)
        : Effect.matchCauseEffect(pullOnce, { onFailure: () => Effect.void, onSuccess: () => drain })
    )
    yield* Deferred.await(gone).pipe(Effect.zipRight(drain), Effect.forkScoped)
    const stopConsuming = Deferred.succeed(gone, undefined)

    const signal = (sig: NodeJS.Signals) =>
      Effect.flatMap(Deferred.isDone(exited), (reaped) =>
        Effect.sync(() => {
          try {
            process.kill(-pid, sig)
          } catch {
            // No group (yet): the CLI itself, unless it has been reaped (its pid may be reused).
            if (!reaped) {
              try {
                process.kill(pid, sig)
              } catch {
                // already gone
              }
            }
          }
        }))
    const isRunning = Effect.negate(Deferred.isDone(exited))
    const exitStatus = Deferred.await(exited)
    // Whatever is left of its process group once the CLI has exited (background jobs, a
    // grandchild holding stdout) gets SIGKILL, as on a terminal: nothing outlives the run.
    const killRemnants = Effect.sync(killGroup)
    const shutdown = PtyProcess.escalate({ signal, exitStatus, isRunning }, spec.shutdown).pipe(
      Effect.tap(() => killRemnants)
    )
    yield* Effect.addFinalizer(() => shutdown)

    return {
      pid,
      output: Stream.repeatEffectChunkOption(next).pipe(Stream.ensuring(stopConsuming)),
      readAhead: constVoid,
      stderrTail: Fiber.await(stderrFiber).pipe(
        Effect.timeout("1 second"),
        Effect.ignore,
        Effect.zipRight(Effect.sync(() => [...stderrLines]))
      ),
      signal,
      exitStatus,
      isRunning,
      shutdown
    }
  })
