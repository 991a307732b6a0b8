import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Options } from "../ClaudeCode.js"
import * as ClaudeError from "../ClaudeError.js"
import * as ClaudeEvent from "../ClaudeEvent.js"
import * as ClaudeResult from "../ClaudeResult.js"
import { buildArgs, validate } from "./args.js"
import { makeDeltaDecoder } from "./deltaBytes.js"
import { makeByteLineSplitter } from "./lines.js"
import { recorder } from "./record.js"
import { type Child, spawnFor } from "./transport.js"

/**
 * Above this many bytes the prompt goes to the CLI's stdin instead of argv (Linux refuses a
 * single argument over 131071 bytes with E2BIG, and the whole argv + env shares ARG_MAX).
 *
 * @internal
 */
export const ARGV_PROMPT_LIMIT = 96 * 1024

/** How many non-JSON lines (merged stderr, warnings) are kept for error messages. */
/** @internal */
export const DIAGNOSTIC_LINES = 40
const DIAGNOSTIC_LINE_CHARS = 2000

/**
 * The runner decodes and emits a chunk of reads in slices of reads that reach this many bytes
 * (two terminal reads of 4095 bytes, one pipe read of up to 64 KiB). With reading ahead on a
 * terminal a chunk can hold a megabyte; decoding it whole kept its thousands of events alive
 * together long enough for young GCs to promote them, and a long stream then settled into
 * promoting most of its events (streaming 1M events over a PTY, 64 KiB slices: 3 runs of 3 peaked
 * at 145-163 MiB; these slices: 4 of 4 at 112-118, as without reading ahead).
 */
const DECODE_SLICE_BYTES = 4096

/** The mutable state of one run, advanced once per event. @internal */
export interface RunState {
  readonly fold: ClaudeResult.Folder
  /**
   * Sees each chunk of events as it is decoded (the telemetry of `run`, whose caller sees no
   * events); an effect it returns runs before the chunk goes on.
   */
  readonly observe: Observer | undefined
  /** Whether the events go on down the stream (`stream`), or are only folded (`run`). */
  readonly emits: boolean
  diagnostics: Array<string>
  lineNumber: number
  sawResult: boolean
  cancelled: boolean
}

/**
 * `keepText: false` for a run whose events go to the caller (`stream`): they see the text as it
 * streams, and the fold then keeps nothing that grows with the output (the `partial` result of an
 * error has no `text`). `keepText: true` for `run`, whose caller sees only the folded result: its
 * events are folded (and shown to `observe`), not emitted down the stream.
 *
 * @internal
 */
export const makeState = (keepText: boolean, observe?: Observer): RunState => ({
  fold: new ClaudeResult.Folder(ClaudeResult.empty, { keepText }),
  observe,
  emits: !keepText,
  diagnostics: [],
  lineNumber: 0,
  sawResult: false,
  cancelled: false
})

/** @internal */
export type Observer = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) => Effect.Effect<void> | undefined

/** Keeps the last {@link DIAGNOSTIC_LINES} non-JSON lines, each cut short. @internal */
export const pushDiagnostic = (diagnostics: Array<string>, line: string) => {
  if (diagnostics.length >= DIAGNOSTIC_LINES) diagnostics.shift()
  diagnostics.push(line.length > DIAGNOSTIC_LINE_CHARS ? line.slice(0, DIAGNOSTIC_LINE_CHARS) + "…" : line)
}

/** Completes when the user's explicit cancel fires. */
const isDeferred = (u: unknown): u is Deferred.Deferred<unknown, unknown> =>
  Predicate.hasProperty(u, Deferred.DeferredTypeId)

const awaitCancel = (cancel: NonNullable<Options["cancel"]>): Effect.Effect<void> =>
  isDeferred(cancel)
    ? Effect.ignore(Deferred.await(cancel as Deferred.Deferred<unknown, unknown>))
    : Effect.async<void>((resume) => {
      const signal = cancel as AbortSignal
      if (signal.aborted) return resume(Effect.void)
      const onAbort = () => resume(Effect.void)
      signal.addEventListener("abort", onAbort, { once: true })
      return Effect.sync(() => signal.removeEventListener("abort", onAbort))
    })

const isCancelled = (cancel: Options["cancel"]): Effect.Effect<boolean> =>
  cancel === undefined
    ? Effect.succeed(false)
    : isDeferred(cancel)
    ? Deferred.isDone(cancel as Deferred.Deferred<unknown, unknown>)
    : Effect.sync(() => (cancel as AbortSignal).aborted)

/**
 * Logs lines of output that are not events (not JSON objects: merged stderr, garbage), at Debug
 * level: the default logger writes to stdout, which programs that print JSON there must keep clean.
 */
const logDiagnostics = (diagnostics: ReadonlyArray<ClaudeEvent.Diagnostic>): Effect.Effect<void> =>
  Effect.forEach(diagnostics, (diagnostic) =>
    Effect.logDebug(
      `Claude Code output line ${diagnostic.lineNumber} is not a JSON object (kept for the error if the run fails): ${
        diagnostic.text.length > 300 ? diagnostic.text.slice(0, 300) + "…" : diagnostic.text
      }`
    ), { discard: true }).pipe(Effect.annotateLogs({ module: "effect-claude-code" }))

/** Bytes of the output in, events out. */
type DecodeChannel = Channel.Channel<
  Chunk.Chunk<ClaudeEvent.ClaudeEvent>,
  Chunk.Chunk<Uint8Array>,
  ClaudeError.ClaudeCodeError,
  ClaudeError.ClaudeCodeError,
  void,
  unknown
>

/** Decides how a run that produced no more output ends. */
const finish = (child: Child, state: RunState): Effect.Effect<void, ClaudeError.ClaudeCodeError> =>
  Effect.gen(function*() {
    if (state.cancelled) {
      return yield* new ClaudeError.Cancelled({ reason: "cancel requested", partial: state.fold.result() })
    }
    if (state.sawResult) {
      if (ClaudeResult.isFailure(state.fold.result())) {
        return yield* ClaudeError.ClaudeFailure.fromResult(state.fold.result())
      }
      return
    }
    // The output ended without a result. Normally the CLI has exited; one that closed its
    // output but runs on can write nothing more: it gets the grace period and is then stopped
    // (the escalation), instead of being waited for forever.
    const exit = yield* child.shutdown
    const stderr = yield* child.stderrTail
    return yield* new ClaudeError.ProcessError({
      exitCode: exit.exitCode,
      signal: exit.signal,
      diagnostics: [...state.diagnostics, ...stderr].slice(-DIAGNOSTIC_LINES),
      partial: state.fold.result()
    })
  })

/**
 * Starts one run in the scope: checks the options, spawns the CLI and registers its finalizers,
 * and gives the stream of its events, which advances `state` as they pass. The stream ends after
 * the `result` event (the CLI's turn is over; the process is then given its grace period to exit
 * and write its transcript when the scope closes), or fails with a typed error after emitting
 * everything the CLI wrote.
 */
const start = (
  prompt: string,
  options: Options,
  state: RunState
): Effect.Effect<
  Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>,
  ClaudeError.ClaudeCodeError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const problem = validate(prompt, options)
    if (problem !== undefined) {
      return yield* new ClaudeError.InvalidOptions({ option: problem.option, problem: problem.problem })
    }
    if (options.cancel !== undefined && (yield* isCancelled(options.cancel))) {
      return yield* new ClaudeError.Cancelled({
        reason: "cancelled before the CLI was started",
        partial: state.fold.result()
      })
    }
    const viaStdin = Buffer.byteLength(prompt, "utf8") > ARGV_PROMPT_LIMIT
    const executable = options.executable ?? "claude"
    const spawn = spawnFor(options.transport ?? "pty")
    const record = yield* recorder(options.record) // the `record` option (record.ts): undefined when unset
    const child = yield* spawn({
      command: executable,
      args: buildArgs(viaStdin ? undefined : prompt, options),
      cwd: options.cwd,
      env: { CLAUDECODE: undefined, NO_COLOR: "1", ...options.env },
      stdin: viaStdin ? prompt : undefined,
      shutdown: options.shutdown
    })

    // Runs before the process's own finalizer (finalizers run in reverse order): a run that
    // ends before its `result` (interruption, a consumer that stopped early, a failure) gets
    // SIGINT at once, so the CLI aborts the turn cleanly and saves the session, instead of
    // first waiting out the grace period meant for a CLI that is finishing on its own.
    yield* Effect.addFinalizer(() =>
      state.sawResult
        ? Effect.void
        : Effect.flatMap(child.isRunning, (running) => running ? child.signal("SIGINT") : Effect.void)
    )

    if (options.cancel !== undefined) {
      // SIGINT at once: the escalation alone would first wait out its grace period, which is
      // meant for a CLI that is finishing on its own, not for one in the middle of a turn.
      yield* awaitCancel(options.cancel).pipe(
        Effect.zipRight(Effect.sync(() => {
          state.cancelled = true
        })),
        Effect.zipRight(child.signal("SIGINT")),
        Effect.zipRight(child.shutdown),
        Effect.forkScoped
      )
    }

    // One pass over each chunk of output bytes: split it into lines, record them, decode them,
    // advance the fold, keep diagnostics (fused into one stage: a PTY delivers ~4 KiB per read,
    // so every per-chunk stage is paid thousands of times in a long run). The loop stops reading
    // at the `result` event (the turn is over) and, on an undecodable line, first emits the
    // events decoded before it, then fails naming that line.
    // Without a recorder (which keeps each line's text), the delta lines are decoded from their
    // bytes (see internal/deltaBytes.ts); every other line as text.
    const splitter = makeByteLineSplitter(record === undefined ? makeDeltaDecoder() : undefined)
    const lines: Array<string | ClaudeEvent.StreamEvent> = []
    /**
     * Decodes `lines` (emptying them) and advances the fold. What has to go through the channel
     * (the events for a caller of `stream`, an observer's effect, diagnostics to log, a failure, the
     * end) comes back as a channel that then goes on with `next`; `undefined` when nothing has to
     * (`run` between two observed effects): the caller goes on decoding without a channel step.
     */
    const decodeChunk = (last: boolean, next: () => DecodeChannel): DecodeChannel | undefined => {
      if (lines.length === 0) return last ? Channel.void : undefined
      if (record !== undefined) {
        const failed = record(lines as Array<string>)
        if (failed !== undefined) return Channel.fail(failed)
      }
      const events: Array<ClaudeEvent.ClaudeEvent> = []
      let failure: ClaudeError.DecodeError | undefined
      let diagnostics: Array<ClaudeEvent.Diagnostic> | undefined
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!
        state.lineNumber++
        if (typeof line !== "string") {
          // a delta (never the result, never a diagnostic)
          events.push(line)
          state.fold.add(line)
          continue
        }
        const decoded = ClaudeEvent.decodeLine(line, state.lineNumber)
        if (decoded._tag === "Left") {
          failure = decoded.left
          break
        }
        const event = decoded.right
        if (event._tag === "Diagnostic") {
          pushDiagnostic(state.diagnostics, line)
          ;(diagnostics ??= []).push(event)
          continue
        }
        events.push(event)
        state.fold.add(event)
        if (event._tag === "Result") {
          state.sawResult = true
          break
        }
      }
      lines.length = 0
      let emit: Channel.Channel<Chunk.Chunk<ClaudeEvent.ClaudeEvent>> | undefined
      const then = (channel: Channel.Channel<Chunk.Chunk<ClaudeEvent.ClaudeEvent>>) =>
        emit = emit === undefined ? channel : Channel.zipRight(channel, emit)
      if (events.length > 0) {
        const chunk = Chunk.unsafeFromArray(events)
        if (state.emits) emit = Channel.write(chunk)
        const observed = state.observe?.(chunk)
        if (observed !== undefined) then(Channel.fromEffect(observed))
      }
      // A line that is not an event is not dropped silently: it is logged, and kept for the
      // error if the run fails.
      if (diagnostics !== undefined) then(Channel.fromEffect(logDiagnostics(diagnostics)))
      if (failure !== undefined) {
        return emit === undefined
          ? Channel.fail(failure)
          : Channel.zipRight(emit, Channel.fail(failure))
      }
      if (state.sawResult || last) return emit ?? Channel.void
      return emit === undefined ? undefined : Channel.zipRight(emit, next())
    }
    /** Splits, decodes and emits `reads` from `from` on, `DECODE_SLICE_BYTES` at a time. */
    const decodeReads = (reads: Chunk.Chunk<Uint8Array>, from: number): DecodeChannel => {
      const size = Chunk.size(reads)
      let i = from
      while (i < size) {
        let bytes = 0
        while (i < size && bytes < DECODE_SLICE_BYTES) {
          const read = Chunk.unsafeGet(reads, i++)
          splitter.push(read, lines)
          bytes += read.length
          // A terminal holds ~16 KiB: without reading ahead, a CLI that writes faster than this
          // loop decodes would wait for the whole chunk (bench/README.md, "Reading ahead on a
          // terminal").
          child.readAhead()
        }
        const at = i
        const step = decodeChunk(false, () => at < size ? Channel.suspend(() => decodeReads(reads, at)) : decodeLoop)
        if (step !== undefined) return step
      }
      return decodeLoop
    }
    const decodeLoop: DecodeChannel = Channel.readWithCause({
      onInput: (reads: Chunk.Chunk<Uint8Array>) => decodeReads(reads, 0),
      onFailure: Channel.failCause,
      onDone: () => {
        splitter.end(lines)
        return decodeChunk(true, () => Channel.void) ?? Channel.void
      }
    })

    let output: Stream.Stream<Uint8Array, ClaudeError.ClaudeCodeError> = child.output
    if (options.idleTimeout !== undefined) {
      const idle = options.idleTimeout
      output = output.pipe(
        Stream.timeoutFail(
          () => new ClaudeError.IdleTimeout({ timeout: Duration.decode(idle), partial: state.fold.result() }),
          idle
        )
      )
    }
    return output.pipe(
      Stream.pipeThroughChannel(decodeLoop),
      Stream.concat(Stream.fromEffect(Effect.suspend(() => finish(child, state))).pipe(Stream.drain))
    )
  })

/**
 * The events of one run, advancing `state` as they pass (see `start`); the CLI's process lives
 * in the stream's scope.
 *
 * @internal
 */
export const streamWith = (
  prompt: string,
  options: Options,
  state: RunState
): Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError> =>
  Stream.unwrapScoped(start(prompt, options, state))

/** @internal */
export const stream = (prompt: string, options: Options) =>
  Stream.suspend(() => streamWith(prompt, options, makeState(false)))

/** @internal */
export const run = (
  prompt: string,
  options: Options,
  observe?: Observer
): Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError> =>
  Effect.suspend(() => {
    const state = makeState(true, observe)
    // The CLI is spawned before the stream is run (not from inside it, as `streamWith` does): the
    // stream machinery's first run in a process (~3 ms) then happens while the CLI starts up.
    return Effect.scoped(Effect.flatMap(start(prompt, options, state), Stream.runDrain)).pipe(
      Effect.map(() => state.fold.result())
    )
  })
