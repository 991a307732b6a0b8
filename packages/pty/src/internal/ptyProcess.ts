import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { StringDecoder } from "node:string_decoder"
import type * as PtyProcess from "../PtyProcess.js"
import {
  defaultCols,
  defaultHighWaterMark,
  defaultRows,
  defaultShutdown,
  ExitStatus,
  PtyReadError,
  PtySpawnError,
  PtyWriteError
} from "../PtyProcess.js"
import * as Native from "./native.js"
import * as Preflight from "./preflight.js"
import { MasterStream, type Probe, Reader, type Taken } from "./reader.js"
import * as Watchdog from "./watchdog.js"
import { ClosedError, Writer } from "./writer.js"

/**
 * After the child exited, how long the terminal is read (unpaused) waiting for it to close before
 * `output` ends anyway (a background process may hold it open). node-pty uses the same 200 ms.
 */
const drainWindowMillis = 200

/**
 * Test hooks: flow-control observation and fault injection.
 *
 * @internal
 */
export interface Hooks extends Probe {
  readonly fork?: Native.NativePty["fork"]
}

interface Shutdown {
  readonly gracePeriod: Duration.Duration
  readonly interruptSignal: NodeJS.Signals
  readonly interruptTimeout: Duration.Duration
  readonly terminateTimeout: Duration.Duration
  readonly killTimeout: Duration.Duration
}

interface State {
  readonly pid: number
  readonly reader: Reader
  readonly writer: Writer
  readonly exited: Deferred.Deferred<ExitStatus>
  readonly exitStatus: () => ExitStatus | undefined
  readonly shutdown: Shutdown
  readonly reuseOutputBuffers: boolean
  readonly resize: (cols: number, rows: number) => void
  /** Stops the child's process group if this process dies before releasing it. */
  readonly watchdog: Watchdog.Watchdog
  released: boolean
}

let signalNames: Map<number, NodeJS.Signals> | undefined

/** @internal */
export const signalName = (signal: number): NodeJS.Signals | undefined => {
  if (signalNames === undefined) {
    signalNames = new Map()
    // First name wins: SIGABRT before SIGIOT, SIGIO before SIGPOLL.
    for (const [name, value] of Object.entries(os.constants.signals)) {
      if (!signalNames.has(value)) signalNames.set(value, name as NodeJS.Signals)
    }
  }
  return signalNames.get(signal)
}

/**
 * node-pty reports `(exitCode, signal)` from `waitpid`: a process killed by SIGKILL is `(0, 9)`.
 * A signal without a Node name (a real-time signal) is reported as a shell would, 128 + n.
 *
 * @internal
 */
export const toExitStatus = (exitCode: number, signal: number): ExitStatus => {
  if (signal > 0) {
    const name = signalName(signal)
    return name === undefined
      ? new ExitStatus({ exitCode: 128 + signal, signal: null })
      : new ExitStatus({ exitCode: null, signal: name })
  }
  return new ExitStatus({ exitCode, signal: null })
}

const tryKill = (target: number, signal: NodeJS.Signals): boolean => {
  try {
    process.kill(target, signal)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // ESRCH: no such process (group). EPERM: not ours (the id was reused by another user's).
    if (code === "ESRCH" || code === "EPERM") return false
    throw error
  }
}

/**
 * Sends `signal` to the process group `pid`. Right after the fork the child has not called
 * `setsid` yet, so its group does not exist: then, while it has not been reaped (its pid cannot
 * have been reused), it is signalled directly, so that an early shutdown is not lost.
 */
const killGroup = (state: Pick<State, "pid" | "exitStatus">, signal: NodeJS.Signals): boolean =>
  tryKill(-state.pid, signal) || (state.exitStatus() === undefined && tryKill(state.pid, signal))

const isSize = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535

const decodeShutdown = (options: Partial<PtyProcess.ShutdownOptions> | undefined): Shutdown | Preflight.Failure => {
  const merged = { ...defaultShutdown, ...options }
  const durations = {} as Record<
    "gracePeriod" | "interruptTimeout" | "terminateTimeout" | "killTimeout",
    Duration.Duration
  >
  for (const key of ["gracePeriod", "interruptTimeout", "terminateTimeout", "killTimeout"] as const) {
    const decoded = Duration.decodeUnknown(merged[key])
    if (Option.isNone(decoded)) {
      return new Preflight.Failure("Unknown", `shutdown.${key} is not a duration: ${String(merged[key])}`)
    }
    durations[key] = decoded.value
  }
  if (os.constants.signals[merged.interruptSignal] === undefined) {
    return new Preflight.Failure("Unknown", `shutdown.interruptSignal ${merged.interruptSignal} is not a signal`)
  }
  return { ...durations, interruptSignal: merged.interruptSignal }
}

/** What to fork, once every check has passed. */
interface Plan {
  readonly command: string
  readonly cwd: string
  /** The program `execvp` will run (the user's, resolved; with `stdin`, still the user's). */
  readonly executable: string
  readonly file: string
  readonly argv: ReadonlyArray<string>
  readonly env: ReadonlyArray<string>
  readonly cols: number
  readonly rows: number
  readonly highWaterMark: number
  readonly reuseOutputBuffers: boolean
  readonly shutdown: Shutdown
}

/** Every check that can be made before forking; see preflight.ts. */
const plan = (options: PtyProcess.SpawnOptions): Plan | PtySpawnError => {
  // Options from untyped callers (JavaScript, parsed configuration) are checked for their types
  // first: a wrong one is a typed error naming it, never a TypeError thrown from deep inside.
  const shapeFailure = Preflight.checkShapes(options)
  if (shapeFailure !== undefined) {
    return new PtySpawnError({
      command: String(options?.command),
      cwd: typeof options?.cwd === "string" ? options.cwd : process.cwd(),
      reason: shapeFailure.reason,
      detail: shapeFailure.detail,
      cause: undefined
    })
  }
  const command = options.command
  const cwd = path.resolve(options.cwd ?? process.cwd())
  const spawnError = (failure: Preflight.Failure) =>
    new PtySpawnError({ command, cwd, reason: failure.reason, detail: failure.detail, cause: failure.cause })

  const cols = options.cols ?? defaultCols
  const rows = options.rows ?? defaultRows
  if (!isSize(cols) || !isSize(rows)) {
    return spawnError(
      new Preflight.Failure("Unknown", `cols and rows must be integers from 1 to 65535, got ${cols}x${rows}`)
    )
  }
  const highWaterMark = options.highWaterMark ?? defaultHighWaterMark
  if (!(highWaterMark >= 1)) {
    return spawnError(new Preflight.Failure("Unknown", `highWaterMark must be at least 1, got ${highWaterMark}`))
  }
  const shutdown = decodeShutdown(options.shutdown)
  if (Preflight.isFailure(shutdown)) return spawnError(shutdown)

  const cwdFailure = Preflight.checkCwd(cwd)
  if (cwdFailure !== undefined) return spawnError(cwdFailure)
  const args = options.args ?? []
  const argsFailure = Preflight.checkArgs(args)
  if (argsFailure !== undefined) return spawnError(argsFailure)
  const envMap = Preflight.buildEnv(options.inheritEnv ?? true, options.env, cwd)
  if (Preflight.isFailure(envMap)) return spawnError(envMap)
  const executable = Preflight.resolveCommand(command, cwd, envMap.get("PATH"))
  if (Preflight.isFailure(executable)) return spawnError(executable)

  let file = command
  let argv = args
  let execPath = executable
  if (options.stdin !== undefined) {
    const stdinFailure = Preflight.checkStdin(options.stdin, cwd)
    if (stdinFailure !== undefined) return spawnError(stdinFailure)
    // $0 names the shell in its error messages, $1 is the file, the rest is the command line:
    // the path is data, never shell text. `exec` replaces the shell, keeping its pid.
    file = "/bin/sh"
    execPath = file
    argv = ["-c", "f=$1; shift; exec \"$@\" <\"$f\"", "effect-pty", options.stdin, command, ...args]
  }
  const env = Array.from(envMap, ([key, value]) => `${key}=${value}`)
  const sizeFailure = Preflight.checkArgumentSize(execPath, [file, ...argv], env)
  if (sizeFailure !== undefined) return spawnError(sizeFailure)
  const reuseOutputBuffers = options.reuseOutputBuffers === true
  return { command, cwd, executable, file, argv, env, cols, rows, highWaterMark, reuseOutputBuffers, shutdown }
}

/** Forks and attaches the reader, synchronously, so that nothing the child writes is missed. */
const start = (plan: Plan, hooks: Hooks | undefined): State | PtySpawnError => {
  const spawnError = (detail: string, cause: unknown) =>
    new PtySpawnError({ command: plan.command, cwd: plan.cwd, reason: "Unknown", detail, cause })

  let binding: Native.Binding
  try {
    binding = Native.load()
  } catch (cause) {
    return spawnError("node-pty's native module could not be loaded", cause)
  }

  let exitStatus: ExitStatus | undefined
  // Assigned once, below, after the fork; the exit callback may run before that.
  // eslint-disable-next-line prefer-const
  let reader: Reader | undefined
  const exited = Deferred.unsafeMake<ExitStatus>(FiberId.none)
  // Called on the main thread once node-pty's watcher thread has reaped the child.
  const onExit = (code: number, signal: number) => {
    exitStatus = toExitStatus(code, signal)
    Deferred.unsafeDone(exited, Exit.succeed(exitStatus))
    reader?.onExit()
  }

  let forked: Native.ForkResult
  try {
    const fork = hooks?.fork ?? binding.native.fork.bind(binding.native)
    forked = fork(
      plan.file,
      plan.argv,
      plan.env,
      plan.cwd,
      plan.cols,
      plan.rows,
      -1,
      -1,
      true,
      binding.helperPath,
      onExit
    )
  } catch (cause) {
    return spawnError(`forking the terminal failed: ${String(cause)}`, cause)
  }

  let socket: MasterStream
  try {
    socket = new MasterStream(forked.fd)
  } catch (cause) {
    // The child exists but its terminal cannot be read: kill it (node-pty's watcher reaps it).
    killGroup({ pid: forked.pid, exitStatus: () => exitStatus }, "SIGKILL")
    fs.closeSync(forked.fd)
    return spawnError(`reading the terminal failed: ${String(cause)}`, cause)
  }
  const liveReader = new Reader(socket, forked.fd, plan.highWaterMark, drainWindowMillis, hooks)
  reader = liveReader
  if (exitStatus !== undefined) liveReader.onExit()
  // The kernel hangs up the terminal when this process dies, but SIGHUP reaches only the session
  // leader and the foreground group, and can be ignored: the watchdog stops the whole group.
  const watchdog = Watchdog.start(forked.pid, {
    interruptSignal: plan.shutdown.interruptSignal,
    interruptTimeoutMillis: Duration.toMillis(plan.shutdown.interruptTimeout),
    terminateTimeoutMillis: Duration.toMillis(plan.shutdown.terminateTimeout)
  })
  return {
    pid: forked.pid,
    reader: liveReader,
    writer: new Writer(forked.fd, () => liveReader.isOpen),
    exited,
    exitStatus: () => exitStatus,
    shutdown: plan.shutdown,
    reuseOutputBuffers: plan.reuseOutputBuffers,
    resize: (cols, rows) => binding.native.resize(forked.fd, cols, rows),
    watchdog,
    released: false
  }
}

/**
 * Waits up to `timeout` for `exitStatus`.
 *
 * The wait is made interruptible: a release runs uninterruptibly, and the timeout could not
 * otherwise interrupt it, so it would never fire. That also lets a *second* interruption of the
 * fiber running the release (interruption signals reach child fibers even in an uninterruptible
 * region) interrupt the wait, which would abandon the rest of the release. So an interruption that
 * arrives while the surrounding region is uninterruptible just resumes the wait until the
 * deadline; in an interruptible region (`shutdown` called by a fiber) it interrupts as usual.
 */
const awaitExitFor = <A>(exitStatus: Effect.Effect<A>, timeout: Duration.Duration): Effect.Effect<Option.Option<A>> =>
  Effect.flatMap(Clock.currentTimeMillis, (start) => {
    const deadline = start + Duration.toMillis(timeout)
    const attempt: Effect.Effect<Option.Option<A>> = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) =>
        now >= deadline ? Effect.succeedNone : exitStatus.pipe(
          Effect.interruptible,
          Effect.timeoutOption(Duration.millis(deadline - now)),
          Effect.exit,
          Effect.flatMap((exit) => Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? attempt : exit)
        )
    )
    return attempt
  })

/**
 * The escalation. `None` when the process still runs `killTimeout` after SIGKILL (stuck in the
 * kernel).
 *
 * @internal
 */
export const escalateSteps = <A>(
  target: PtyProcess.Stoppable<A>,
  shutdown: Shutdown
): Effect.Effect<Option.Option<A>> =>
  Effect.gen(function*() {
    const steps: ReadonlyArray<readonly [NodeJS.Signals | undefined, Duration.Duration]> = [
      [undefined, shutdown.gracePeriod],
      [shutdown.interruptSignal, shutdown.interruptTimeout],
      ["SIGTERM", shutdown.terminateTimeout],
      ["SIGKILL", shutdown.killTimeout]
    ]
    for (const [signal, timeout] of steps) {
      if (!(yield* target.isRunning)) return Option.some(yield* target.exitStatus)
      if (signal !== undefined) {
        yield* Effect.logDebug(`PtyProcess: sending ${signal}`)
        yield* target.signal(signal)
      }
      const status = yield* awaitExitFor(target.exitStatus, timeout)
      if (Option.isSome(status)) return status
    }
    return Option.none()
  })

/** @internal */
export const decodeShutdownOrDie = (
  options: Partial<PtyProcess.ShutdownOptions> | undefined
): Effect.Effect<Shutdown> =>
  Effect.suspend(() => {
    const decoded = decodeShutdown(options)
    return Preflight.isFailure(decoded) ? Effect.dieMessage(decoded.detail) : Effect.succeed(decoded)
  })

/** @internal */
export const escalate = <A>(
  target: PtyProcess.Stoppable<A>,
  options?: Partial<PtyProcess.ShutdownOptions>
): Effect.Effect<A> =>
  decodeShutdownOrDie(options).pipe(
    Effect.flatMap((shutdown) => escalateSteps(target, shutdown)),
    Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => target.exitStatus }))
  )

/** @internal */
export const preflight = (options: PtyProcess.SpawnOptions): Effect.Effect<string, PtySpawnError> =>
  Effect.suspend(() => {
    const planned = plan(options)
    return planned instanceof PtySpawnError ? Effect.fail(planned) : Effect.succeed(planned.executable)
  })

/** The escalation for our own child, then SIGKILL for whatever it left in its process group. */
const stop = (state: State): Effect.Effect<Option.Option<ExitStatus>> =>
  escalateSteps<ExitStatus>({
    signal: (signal) =>
      Effect.sync(() => {
        if (!state.released) killGroup(state, signal)
      }),
    exitStatus: Deferred.await(state.exited),
    isRunning: Effect.sync(() => state.exitStatus() === undefined)
  }, state.shutdown).pipe(
    Effect.tap((status) =>
      Effect.sync(() => {
        // Background jobs of the child that ignore SIGHUP would outlive it: not past its scope.
        if (Option.isSome(status) && !state.released) killGroup(state, "SIGKILL")
      })
    ),
    Effect.annotateLogs({ pid: state.pid })
  )

const warnIfUnguarded = (pid: number, watchdog: Watchdog.Watchdog): Effect.Effect<void> =>
  watchdog.pid === undefined
    ? Effect.logWarning(
      `PtyProcess: the watchdog of process ${pid} could not be started (${
        String(watchdog.failure)
      }); if this process dies before the scope closes, the child is not stopped`
    )
    : Effect.void

const release = (state: State): Effect.Effect<void> =>
  Effect.gen(function*() {
    state.reader.discard()
    const status = yield* stop(state)
    if (Option.isNone(status)) {
      yield* Effect.logWarning(
        `PtyProcess: process ${state.pid} has not exited ${
          Duration.format(state.shutdown.killTimeout)
        } after SIGKILL; closing its terminal anyway`
      )
    }
  }).pipe(
    Effect.ensuring(
      Effect.sync(() => {
        // Whatever happened above, the terminal is released and nothing is left running.
        if (!state.released && state.exitStatus() === undefined) killGroup(state, "SIGKILL")
        state.released = true
        state.writer.close()
        state.reader.release()
        state.watchdog.stop()
      })
    ),
    Effect.withSpan("PtyProcess.release", { attributes: { pid: state.pid } })
  )

/**
 * How the reads become a stream's elements: `outputBytes` keeps them as they are, `output` decodes
 * them with one streaming decoder for the whole output.
 */
interface Delivery<A> {
  /** The elements for these reads; none when they hold only part of a character. */
  readonly reads: (reads: Array<Buffer>) => Array<A>
  /** Once, at the end of the output (or its failure): a last element, if one is held back. */
  readonly end: () => A | undefined
}

const bytes: Delivery<Uint8Array> = { reads: (reads) => reads, end: () => undefined }

/**
 * A character split between reads (or across the final drain) is decoded whole; an incomplete
 * one at the very end becomes U+FFFD instead of being lost.
 */
const utf8 = (): Delivery<string> => {
  const decoder = new StringDecoder("utf8")
  return {
    reads: (reads) => {
      const texts: Array<string> = []
      for (const read of reads) {
        const text = decoder.write(read)
        if (text.length > 0) texts.push(text)
      }
      return texts
    },
    end: () => {
      const rest = decoder.end()
      return rest.length > 0 ? rest : undefined
    }
  }
}

/** One pull of a stream: its next chunk, or its end (`None`), or its failure. */
type Pulled<A> = Effect.Effect<Chunk.Chunk<A>, Option.Option<PtyReadError>>

/** Each pull takes everything read since the last one (see reader.ts), as one chunk. */
const readerStream = <A>(state: State, delivery: Delivery<A>): Stream.Stream<A, PtyReadError> => {
  const { pid, reader } = state
  let ended = false
  /** What `taken` gives the pull: its chunk, its end or failure; `undefined` if the reads gave no element. */
  const delivered = (taken: Taken): Pulled<A> | undefined => {
    if (taken._tag === "Chunks") {
      const elements = delivery.reads(taken.chunks)
      return elements.length === 0 ? undefined : Effect.succeed(Chunk.unsafeFromArray(elements))
    }
    // Once the reader has ended it keeps returning the same end (or failure) on every take.
    if (!ended) {
      ended = true
      const last = delivery.end()
      if (last !== undefined) return Effect.succeed(Chunk.of(last))
    }
    return Effect.fail(
      taken._tag === "Fail" ? Option.some(new PtyReadError({ pid, cause: taken.cause })) : Option.none()
    )
  }
  /** Waits for reads that give an element. */
  const awaitReads: Pulled<A> = Effect.async((resume) => {
    let cancel: () => void
    const onReady = () => {
      const taken = reader.take()
      const result = taken === undefined ? undefined : delivered(taken)
      if (result === undefined) cancel = reader.await(onReady)
      else resume(result)
    }
    cancel = reader.await(onReady)
    return Effect.sync(() => cancel())
  })
  // Reads already taken are returned as they are, not through `Effect.async`: resumed before it
  // returns, Effect 3 keeps the result in a context captured by a closure that V8 allocates in
  // the old generation (`effect_instruction_i0 = resume => ...`), so each such chunk would outlive
  // every young-generation GC until a full one (bench/README.md, "Which Streams keep it").
  const pull: Pulled<A> = Effect.suspend(() => {
    const now = reader.take()
    return (now === undefined ? undefined : delivered(now)) ?? awaitReads
  })
  return Stream.repeatEffectChunkOption(pull)
}

/** `output` and `outputBytes`: two views of the one reader, of which one can be run, once. */
const outputStreams = (state: State): Pick<PtyProcess.PtyProcess, "output" | "outputBytes"> => {
  let running: "output" | "outputBytes" | undefined
  const once = <A>(name: "output" | "outputBytes", stream: () => Stream.Stream<A, PtyReadError>) =>
    Stream.suspend(() => {
      if (running !== undefined) {
        const what = running === name ? "was already run" : `cannot be run: PtyProcess.${running} was already run`
        return Stream.dieMessage(
          `PtyProcess.${name} of process ${state.pid} ${what}. output and outputBytes share one reader: ` +
            "one of them can be run once, not both. Use Stream.share or Stream.broadcast to give it several consumers."
        )
      }
      running = name
      return stream()
    })
  return {
    // `output` decodes every take at once: the reads' memory can always be reused
    output: once("output", () => {
      state.reader.reuse()
      return readerStream(state, utf8())
    }),
    outputBytes: once("outputBytes", () => {
      if (state.reuseOutputBuffers) state.reader.reuse()
      return readerStream(state, bytes)
    })
  }
}

const makeHandle = (state: State): PtyProcess.PtyProcess => {
  const { pid } = state
  const writeError = (operation: "write" | "resize", cause: unknown) => new PtyWriteError({ pid, operation, cause })
  return {
    pid,
    ...outputStreams(state),
    write: (data) =>
      Effect.async<void, PtyWriteError>((resume) => {
        const cancel = state.writer.write(data, (error) => {
          resume(error === undefined ? Effect.void : Effect.fail(writeError("write", error)))
        })
        return Effect.sync(cancel)
      }),
    resize: (cols, rows) =>
      Effect.suspend(() => {
        if (!isSize(cols) || !isSize(rows)) {
          return Effect.fail(
            writeError("resize", new RangeError(`cols and rows must be integers from 1 to 65535, got ${cols}x${rows}`))
          )
        }
        if (!state.reader.isOpen) return Effect.fail(writeError("resize", new ClosedError()))
        try {
          state.resize(cols, rows)
          return Effect.void
        } catch (cause) {
          return Effect.fail(writeError("resize", cause))
        }
      }),
    signal: (signal) =>
      Effect.sync(() => {
        if (!state.released) killGroup(state, signal)
      }),
    exitStatus: Deferred.await(state.exited),
    isRunning: Effect.sync(() => state.exitStatus() === undefined),
    unsafeReadAhead: () => state.reader.readAhead(),
    shutdown: stop(state).pipe(
      Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => Deferred.await(state.exited) })),
      Effect.withSpan("PtyProcess.shutdown", { attributes: { pid } })
    )
  }
}

/**
 * `PtyProcess.spawn` without the span, plus test hooks.
 *
 * @internal
 */
export const make = (
  options: PtyProcess.SpawnOptions,
  hooks?: Hooks
): Effect.Effect<PtyProcess.PtyProcess, PtySpawnError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const planned = plan(options)
      const started = planned instanceof PtySpawnError ? planned : start(planned, hooks)
      return started instanceof PtySpawnError ? Effect.fail(started) : Effect.succeed(started)
    }),
    release
  ).pipe(
    Effect.tap((state) => warnIfUnguarded(state.pid, state.watchdog)),
    Effect.map(makeHandle)
  )

/** @internal */
export const watchdog = (
  pid: number,
  options?: Partial<PtyProcess.ShutdownOptions>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const shutdown = yield* decodeShutdownOrDie(options)
    const guard = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Watchdog.start(pid, {
          interruptSignal: shutdown.interruptSignal,
          interruptTimeoutMillis: Duration.toMillis(shutdown.interruptTimeout),
          terminateTimeoutMillis: Duration.toMillis(shutdown.terminateTimeout)
        })
      ),
      (guard) => Effect.sync(() => guard.stop())
    )
    yield* warnIfUnguarded(pid, guard)
  })
