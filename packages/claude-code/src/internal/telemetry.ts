/**
 * Spans, metrics and debug logs around one run, added from outside the runner: the stream is
 * observed one chunk at a time (one `_tag` check per event, nothing else for the frequent
 * `StreamEvent`s), and the figures come from the `Result` event (or the folded result of `run`),
 * never from folding the run again. No prompt text, tool input or environment value is recorded.
 */
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { Options } from "../ClaudeCode.js"
import type * as ClaudeError from "../ClaudeError.js"
import type * as ClaudeEvent from "../ClaudeEvent.js"
import type * as ClaudeResult from "../ClaudeResult.js"
import type { Observer } from "./runner.js"

// -----------------------------------------------------------------------------
// Metrics
// -----------------------------------------------------------------------------

/** @internal */
export const runsStarted = Metric.counter("effect_claude_code_runs_started", {
  description: "Claude Code runs started",
  incremental: true
})

/** @internal */
export const runsFinished = Metric.counter("effect_claude_code_runs_finished", {
  description: "Claude Code runs that ended without an error",
  incremental: true
})

/** @internal */
export const runsFailed = Metric.counter("effect_claude_code_runs_failed", {
  description: "Claude Code runs that failed (tag `error`: the error's _tag, Interrupted or Defect)",
  incremental: true
})

/** @internal */
export const tokens = Metric.counter("effect_claude_code_tokens", {
  description: "Tokens reported by Claude Code results (tag `type`: input, output, cache_read, cache_creation)",
  incremental: true
})

/** @internal */
export const costUsd = Metric.counter("effect_claude_code_cost_usd", {
  description: "Cost in USD reported by Claude Code results",
  incremental: true
})

/** @internal */
export const runDuration = Metric.timer("effect_claude_code_run_duration", "Duration of Claude Code runs")

/** @internal */
export const runsActive = Metric.gauge("effect_claude_code_runs_active", {
  description: "Claude Code runs (CLI processes) in progress"
})

const tokenInput = Metric.tagged(tokens, "type", "input")
const tokenOutput = Metric.tagged(tokens, "type", "output")
const tokenCacheRead = Metric.tagged(tokens, "type", "cache_read")
const tokenCacheCreation = Metric.tagged(tokens, "type", "cache_creation")

// -----------------------------------------------------------------------------
// Per run
// -----------------------------------------------------------------------------

/** What a run's `result` reported, from the `Result` event or the folded result. */
interface Summary {
  readonly sessionId: string | undefined
  readonly costUsd: number
  readonly numTurns: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cacheReadInputTokens: number
  readonly cacheCreationInputTokens: number
  readonly isError: boolean
  readonly terminalReason: string | undefined
  readonly apiErrorStatus: number | undefined
  readonly durationMs: number
}

const fromResultEvent = (event: ClaudeEvent.Result): Summary => ({
  sessionId: event.session_id,
  costUsd: event.total_cost_usd,
  numTurns: event.num_turns,
  inputTokens: event.usage.input_tokens,
  outputTokens: event.usage.output_tokens,
  cacheReadInputTokens: event.usage.cache_read_input_tokens ?? 0,
  cacheCreationInputTokens: event.usage.cache_creation_input_tokens ?? 0,
  isError: event.is_error,
  terminalReason: event.terminal_reason,
  apiErrorStatus: event.api_error_status ?? undefined,
  durationMs: event.duration_ms
})

const fromResult = (result: ClaudeResult.ClaudeResult): Summary => ({
  sessionId: result.sessionId,
  costUsd: result.costUsd,
  numTurns: result.numTurns,
  inputTokens: result.usage.inputTokens,
  outputTokens: result.usage.outputTokens,
  cacheReadInputTokens: result.usage.cacheReadInputTokens,
  cacheCreationInputTokens: result.usage.cacheCreationInputTokens,
  isError: result.isError,
  terminalReason: result.terminalReason,
  apiErrorStatus: result.apiErrorStatus,
  durationMs: result.durationMs
})

/** The result an error carries, when the CLI got as far as writing one. */
const resultOf = (error: ClaudeError.ClaudeCodeError): ClaudeResult.ClaudeResult | undefined => {
  switch (error._tag) {
    case "ClaudeFailure":
      return error.result
    case "ProcessError":
    case "Cancelled":
    case "IdleTimeout":
      return error.partial
    default:
      return undefined
  }
}

/** The mutable record of one run, advanced as its events pass. */
interface Run {
  readonly span: Tracer.Span
  readonly clock: Clock.Clock
  readonly startedAt: number
  readonly transport: string
  /** Tool names by `tool_use` id, to name the `tool_result`s. */
  readonly tools: Map<string, string>
  summary: Summary | undefined
  sessionId: string | undefined
  model: string | undefined
  /** A `SystemInit` arrived that has not been logged yet. */
  initToLog: boolean
}

const ATTR = "claude_code."

const setSummary = (run: Run, summary: Summary): void => {
  run.summary = summary
  const span = run.span
  if (summary.sessionId !== undefined) {
    run.sessionId = summary.sessionId
    span.attribute(ATTR + "session_id", summary.sessionId)
  }
  span.attribute(ATTR + "cost_usd", summary.costUsd)
  span.attribute(ATTR + "num_turns", summary.numTurns)
  span.attribute(ATTR + "usage.input_tokens", summary.inputTokens)
  span.attribute(ATTR + "usage.output_tokens", summary.outputTokens)
  span.attribute(ATTR + "usage.cache_read_input_tokens", summary.cacheReadInputTokens)
  span.attribute(ATTR + "usage.cache_creation_input_tokens", summary.cacheCreationInputTokens)
  span.attribute(ATTR + "is_error", summary.isError)
  span.attribute(ATTR + "duration_ms", summary.durationMs)
  if (summary.terminalReason !== undefined) span.attribute(ATTR + "terminal_reason", summary.terminalReason)
  if (summary.apiErrorStatus !== undefined) span.attribute(ATTR + "api_error_status", summary.apiErrorStatus)
}

const setInit = (run: Run, sessionId: string | undefined, model: string | undefined): void => {
  if (sessionId !== undefined) {
    run.sessionId = sessionId
    run.span.attribute(ATTR + "session_id", sessionId)
  }
  if (model !== undefined) {
    run.model = model
    run.span.attribute(ATTR + "model", model)
  }
}

const toolUse = (run: Run, id: string, name: string, parent: string | null | undefined, time: bigint): void => {
  run.tools.set(id, name)
  run.span.event("claude_code.tool_use", time, {
    "tool.id": id,
    "tool.name": name,
    ...(parent == null ? {} : { "tool.parent_tool_use_id": parent })
  })
}

const toolResult = (run: Run, id: string, isError: boolean, time: bigint): void => {
  const name = run.tools.get(id)
  run.span.event("claude_code.tool_result", time, {
    "tool.id": id,
    ...(name === undefined ? {} : { "tool.name": name }),
    "tool.is_error": isError
  })
}

/**
 * Advances the run's record by one chunk of events. A `StreamEvent` (the deltas, most of a
 * run's events) costs one comparison.
 */
const observeChunk = (run: Run, chunk: Chunk.Chunk<ClaudeEvent.ClaudeEvent>): void => {
  // The runner's chunks wrap arrays: indexing one costs less than the chunk's iterator.
  const events = Chunk.toReadonlyArray(chunk)
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    switch (event._tag) {
      case "StreamEvent":
        continue
      case "SystemInit":
        setInit(run, event.session_id, event.model)
        run.initToLog = true
        break
      case "Assistant": {
        let time: bigint | undefined
        for (const block of event.message.content) {
          if (block.type === "tool_use") {
            time ??= run.clock.unsafeCurrentTimeNanos()
            toolUse(run, block.id, block.name, event.parent_tool_use_id, time)
          }
        }
        break
      }
      case "User": {
        const content = event.message.content
        if (typeof content === "string") break
        let time: bigint | undefined
        for (const block of content) {
          if (block.type === "tool_result") {
            time ??= run.clock.unsafeCurrentTimeNanos()
            toolResult(run, block.tool_use_id, block.is_error === true, time)
          }
        }
        break
      }
      case "RateLimit": {
        const info = event.rate_limit_info
        run.span.event("claude_code.rate_limit", run.clock.unsafeCurrentTimeNanos(), {
          status: info.status,
          ...(info.resetsAt === undefined ? {} : { resets_at: info.resetsAt }),
          ...(info.rateLimitType === undefined ? {} : { rate_limit_type: info.rateLimitType })
        })
        break
      }
      case "SystemApiRetry":
        run.span.event("claude_code.api_retry", run.clock.unsafeCurrentTimeNanos(), {
          attempt: event.attempt,
          max_retries: event.max_retries,
          retry_delay_ms: event.retry_delay_ms,
          ...(event.error_status === null ? {} : { error_status: event.error_status })
        })
        break
      case "Result":
        setSummary(run, fromResultEvent(event))
        break
      default:
        break
    }
  }
}

/**
 * A folded result: the figures (tool calls were recorded as their events passed, for `run` too).
 */
const observeResult = (run: Run, result: ClaudeResult.ClaudeResult): void => {
  setInit(run, result.sessionId, result.model)
  if (result.hasResult) setSummary(run, fromResult(result))
}

const annotations = (run: Run): Record<string, unknown> => ({
  module: "effect-claude-code",
  transport: run.transport,
  ...(run.sessionId === undefined ? {} : { sessionId: run.sessionId }),
  ...(run.model === undefined ? {} : { model: run.model })
})

/**
 * A Debug log of the run (an event of its span), built and run only when Debug logs are on (the
 * minimum log level is Debug or lower): below that every logger drops it anyway, and building its
 * annotations and span was most of what the telemetry cost a run before the CLI was spawned.
 */
const logDebug = (
  run: { readonly span: Tracer.Span },
  message: string,
  fields: () => Record<string, unknown>
): Effect.Effect<void> =>
  Effect.flatMap(
    FiberRef.get(FiberRef.currentMinimumLogLevel),
    (minimum) =>
      LogLevel.greaterThan(minimum, LogLevel.Debug)
        ? Effect.void
        : Effect.logDebug(message).pipe(Effect.annotateLogs(fields()), Effect.withParentSpan(run.span))
  )

const logInit = (run: Run): Effect.Effect<void> => {
  run.initToLog = false
  return logDebug(run, "Claude Code session started", () => annotations(run))
}

const begin = (
  span: Tracer.Span,
  prompt: string,
  options: Options
): Effect.Effect<Run> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const transport = options.transport ?? "pty"
    const run: Run = {
      span,
      clock,
      startedAt: clock.unsafeCurrentTimeMillis(),
      transport,
      tools: new Map(),
      summary: undefined,
      sessionId: undefined,
      model: undefined,
      initToLog: false
    }
    // checked by the runner, after this (a prompt of the wrong type fails there, typed)
    const promptLength = typeof prompt === "string" ? prompt.length : 0
    span.attribute(ATTR + "transport", transport)
    span.attribute(ATTR + "prompt_length", promptLength)
    if (options.model !== undefined) span.attribute(ATTR + "model", options.model)
    yield* Metric.increment(Metric.tagged(runsStarted, "transport", transport))
    yield* Metric.incrementBy(runsActive, 1)
    yield* logDebug(run, "Claude Code run starting", () => ({
      module: "effect-claude-code",
      transport,
      executable: options.executable ?? "claude",
      promptLength,
      ...(options.model === undefined ? {} : { model: options.model })
    }))
    return run
  })

/** The error tag a failed or interrupted run is counted under. */
const failureTag = (cause: Cause.Cause<ClaudeError.ClaudeCodeError>): string =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => Cause.isInterruptedOnly(cause) ? "Interrupted" : "Defect",
    onSome: (error) => error._tag
  })

const end = (run: Run, exit: Exit.Exit<unknown, ClaudeError.ClaudeCodeError>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const elapsed = Math.max(0, run.clock.unsafeCurrentTimeMillis() - run.startedAt)
    const effects: Array<Effect.Effect<void>> = [
      Metric.incrementBy(runsActive, -1),
      Metric.update(Metric.tagged(runDuration, "transport", run.transport), Duration.millis(elapsed))
    ]
    if (Exit.isFailure(exit)) {
      const error = Cause.failureOption(exit.cause)
      if (run.summary === undefined && Option.isSome(error)) {
        const result = resultOf(error.value)
        if (result !== undefined) observeResult(run, result)
      }
      const tag = failureTag(exit.cause)
      run.span.attribute(ATTR + "error", tag)
      effects.push(
        Metric.increment(Metric.tagged(Metric.tagged(runsFailed, "transport", run.transport), "error", tag)),
        logDebug(run, "Claude Code run failed", () => ({
          ...annotations(run),
          error: tag,
          durationMs: elapsed,
          ...(Option.isSome(error) && error.value._tag === "ClaudeFailure" && error.value.apiErrorStatus !== undefined
            ? { apiErrorStatus: error.value.apiErrorStatus }
            : {}),
          ...(Option.isSome(error) && error.value._tag === "ProcessError"
            ? { exitCode: error.value.exitCode, signal: error.value.signal }
            : {})
        }))
      )
    } else {
      effects.push(Metric.increment(Metric.tagged(runsFinished, "transport", run.transport)))
    }
    const summary = run.summary
    if (summary !== undefined) {
      effects.push(
        Metric.incrementBy(tokenInput, summary.inputTokens),
        Metric.incrementBy(tokenOutput, summary.outputTokens),
        Metric.incrementBy(tokenCacheRead, summary.cacheReadInputTokens),
        Metric.incrementBy(tokenCacheCreation, summary.cacheCreationInputTokens),
        Metric.incrementBy(costUsd, summary.costUsd),
        logDebug(run, "Claude Code result", () => ({
          ...annotations(run),
          isError: summary.isError,
          costUsd: summary.costUsd,
          numTurns: summary.numTurns,
          inputTokens: summary.inputTokens,
          outputTokens: summary.outputTokens,
          durationMs: summary.durationMs
        }))
      )
    }
    return Effect.all(effects, { discard: true })
  })

/**
 * `stream` inside a span `ClaudeCode.stream`, with metrics and debug logs. The span ends (and
 * the metrics are recorded) when the stream ends, fails or is interrupted.
 *
 * @internal
 */
export const instrumentStream = (
  prompt: string,
  options: Options,
  stream: Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>
): Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    // The scope closes with the stream's exit: success, its failure, or interruption. Its
    // finalizers run in reverse, so the run's record is complete before the span ends. (The
    // span is not made the parent of the runner's own spans: `Stream.provideService` would cost
    // ~10% more CPU on a 100k-event run, as every effect of the inner stream is then provided.)
    const span = yield* Effect.makeSpanScoped("ClaudeCode.stream", { kind: "client" })
    const run = yield* Effect.acquireRelease(
      begin(span, prompt, options),
      // The scope closes with the stream's exit, whose only failures are the stream's errors.
      (run, exit) => end(run, exit as Exit.Exit<unknown, ClaudeError.ClaudeCodeError>)
    )
    return Stream.pipeThroughChannel(stream, observing(run))
  }))

type ObservingChannel = Channel.Channel<
  Chunk.Chunk<ClaudeEvent.ClaudeEvent>,
  Chunk.Chunk<ClaudeEvent.ClaudeEvent>,
  ClaudeError.ClaudeCodeError,
  ClaudeError.ClaudeCodeError,
  unknown,
  unknown
>

/**
 * Shows each chunk of events to the run's record and writes it on unchanged. A channel rather
 * than `Stream.mapChunksEffect`, which runs an effect per chunk through `Channel.fromEffect`:
 * in Effect 3 that keeps the effect, and the chunk it returns, alive past young-generation GCs
 * until a full GC (its `op.effect = () => effect` is a closure V8 allocates in the old generation;
 * bench/README, "Memory", "Which Streams keep it").
 */
const observing = (run: Run): ObservingChannel => {
  const loop: ObservingChannel = Channel.readWithCause({
    onInput: (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) => {
      observeChunk(run, events)
      const write = Channel.zipRight(Channel.write(events), loop)
      // the session's start is logged once, before the chunk that holds it goes on
      return run.initToLog ? Channel.zipRight(Channel.fromEffect(logInit(run)), write) : write
    },
    onFailure: Channel.failCause,
    onDone: () => Channel.void
  })
  return loop
}

/**
 * `run` inside a span `ClaudeCode.run`, with metrics and debug logs. The runner shows it each
 * chunk of events as they are decoded (tool calls become span events when they happen, the
 * session's start is logged when it starts); the figures come from the folded result (or the
 * result the error carries).
 *
 * @internal
 */
export const instrumentRun = (
  prompt: string,
  options: Options,
  run: (observe: Observer) => Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError>
): Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError> =>
  Effect.useSpan("ClaudeCode.run", { kind: "client" }, (span) =>
    // Once begun, a run is always ended: interruption is only possible inside `run` itself.
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(begin(span, prompt, options), (record) =>
        restore(Effect.withParentSpan(
          run((events) => {
            observeChunk(record, events)
            return record.initToLog ? logInit(record) : undefined
          }),
          span
        )).pipe(
          Effect.tap((result) => Effect.sync(() => observeResult(record, result))),
          Effect.onExit((exit) => end(record, exit))
        ))
    ))
