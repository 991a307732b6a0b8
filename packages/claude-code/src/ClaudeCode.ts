/**
 * Run the Claude Code CLI as a typed, cancellable `Stream` of events, or fold a run into a
 * {@link ClaudeResult.ClaudeResult}.
 *
 * @since 0.1.0
 */
import type { PtyProcess } from "effect-pty"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ClaudeError from "./ClaudeError.js"
import type * as ClaudeEvent from "./ClaudeEvent.js"
import type * as ClaudeResult from "./ClaudeResult.js"
import * as internal from "./internal/runner.js"
import * as telemetry from "./internal/telemetry.js"

/**
 * How the CLI process is attached: a pseudo-terminal (the default, as an interactive user
 * would run it) or plain pipes.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const transport: ClaudeCode.Transport = "pipe" // stderr kept apart, no terminal
 * const program = ClaudeCode.run("hi", { transport })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = "pty" | "pipe"

/**
 * The CLI's permission modes (`--permission-mode`).
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const permissionMode: ClaudeCode.PermissionMode = "acceptEdits"
 * const program = ClaudeCode.run("Fix the failing test", { permissionMode, allowedTools: ["Read", "Edit", "Bash(npm test)"] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PermissionMode = "default" | "acceptEdits" | "auto" | "bypassPermissions" | "manual" | "dontAsk" | "plan"

/**
 * Everything a run can be configured with. Each field maps to one CLI flag unless said
 * otherwise; unset fields are not passed, so the CLI's own defaults apply.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const options: ClaudeCode.Options = {
 *   model: "claude-sonnet-4-5",
 *   cwd: "/my/project",
 *   maxTurns: 5,
 *   allowedTools: ["Read", "Grep"],
 *   appendSystemPrompt: "Be terse.",
 *   idleTimeout: "2 minutes"
 * }
 * const program = ClaudeCode.run("Where is the config loaded?", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Path or name (looked up on `PATH`) of the `claude` executable. Default `"claude"`. */
  readonly executable?: string | undefined
  /** Working directory of the CLI (the project it works on). Default: this process's cwd. */
  readonly cwd?: string | undefined
  /**
   * Environment variables merged over `process.env`; a variable set to `undefined` is removed.
   * `CLAUDECODE` is always removed unless set here (a parent Claude Code session would
   * otherwise make the child refuse to start).
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** `--model`. */
  readonly model?: string | undefined
  /** `--fallback-model`. */
  readonly fallbackModel?: string | undefined
  /** `--resume ID`: continue an earlier session. */
  readonly resume?: string | undefined
  /** `--continue`: continue the newest session of `cwd`. */
  readonly continue?: boolean | undefined
  /** `--fork-session` (with `resume` or `continue`): branch off under a new session id. */
  readonly forkSession?: boolean | undefined
  /** `--session-id UUID`: choose the new session's id. */
  readonly sessionId?: string | undefined
  /** `--include-partial-messages`: emit `StreamEvent`s with text and tool-input deltas. */
  readonly includePartialMessages?: boolean | undefined
  /** `--max-turns`. */
  readonly maxTurns?: number | undefined
  /** `--max-budget-usd`. */
  readonly maxBudgetUsd?: number | undefined
  /** `--permission-mode`. */
  readonly permissionMode?: PermissionMode | undefined
  /** `--allowedTools`, e.g. `["Bash(git log:*)", "Read"]`. */
  readonly allowedTools?: ReadonlyArray<string> | undefined
  /** `--disallowedTools`. */
  readonly disallowedTools?: ReadonlyArray<string> | undefined
  /** `--system-prompt`: replaces the default system prompt. */
  readonly systemPrompt?: string | undefined
  /** `--append-system-prompt`. */
  readonly appendSystemPrompt?: string | undefined
  /** `--add-dir`: extra directories the tools may access. */
  readonly addDirs?: ReadonlyArray<string> | undefined
  /** `--mcp-config`: MCP server config files or JSON strings. */
  readonly mcpConfig?: string | ReadonlyArray<string> | undefined
  /** `--strict-mcp-config`: use only the servers of `mcpConfig`. */
  readonly strictMcpConfig?: boolean | undefined
  /** `--settings`: a settings file or JSON string. */
  readonly settings?: string | undefined
  /** Raw arguments inserted before the `-- PROMPT` separator: the escape hatch for new flags. */
  readonly extraArgs?: ReadonlyArray<string> | undefined
  /** `"pty"` (default) or `"pipe"`. */
  readonly transport?: Transport | undefined
  /**
   * An explicit cancel: when the `Deferred` completes or the `AbortSignal` aborts, the CLI is
   * interrupted gracefully (SIGINT, so it saves the session) and the run fails with
   * `ClaudeError.Cancelled`, which carries the partial result and the session id.
   */
  // Deferred is invariant in its types (`in out`), and `any` is not assignable to `never`, so
  // `Deferred<any, any>` alone refuses the common `Deferred<void, never>` (`Deferred.make<void>()`).
  readonly cancel?: Deferred.Deferred<any, any> | Deferred.Deferred<any, never> | AbortSignal | undefined
  /** Fail with `ClaudeError.IdleTimeout` when the CLI writes nothing for this long. */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /**
   * Save the run's raw output to this file: every line the CLI wrote, byte for byte as NDJSON
   * (non-JSON lines included), for replaying in tests with `effect-claude-code/testing`.
   */
  readonly record?: string | undefined
  /** How the process is stopped when the run ends early; see `effect-pty`. */
  readonly shutdown?: Partial<PtyProcess.ShutdownOptions> | undefined
  /** @internal for streaming-input sessions */
  readonly inputFormat?: "text" | "stream-json" | undefined
}

/**
 * The service: run prompts with a set of default options.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeResult } from "effect-claude-code"
 * import { Effect, Layer, Stream } from "effect"
 *
 * // a test double: every prompt answers with an empty result
 * const service: ClaudeCode.ClaudeCodeService = {
 *   defaults: {},
 *   stream: () => Stream.empty,
 *   run: () => Effect.succeed(ClaudeResult.empty)
 * }
 * const TestClaude = Layer.succeed(ClaudeCode.ClaudeCode, service)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ClaudeCodeService {
  /** The defaults every call starts from. */
  readonly defaults: Options
  /** The events of one run; the CLI process lives exactly as long as the stream is consumed. */
  readonly stream: (
    prompt: string,
    options?: Options
  ) => Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>
  /** One run folded into its result. */
  readonly run: (
    prompt: string,
    options?: Options
  ) => Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError>
}

/**
 * The `ClaudeCode` service tag. Provide it with {@link layer} to set the executable, env and
 * defaults once, or with a test implementation (see `effect-claude-code/testing`).
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const claude = yield* ClaudeCode.ClaudeCode
 *   return yield* claude.run("What is 2 + 2?")
 * }).pipe(Effect.provide(ClaudeCode.layer({ model: "claude-sonnet-4-5" })))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ClaudeCode extends Context.Tag("effect-claude-code/ClaudeCode")<ClaudeCode, ClaudeCodeService>() {}

/**
 * Merges per-call options over defaults; `env` is merged key by key.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 *
 * const merged = ClaudeCode.mergeOptions({ model: "a", env: { A: "1" } }, { maxTurns: 2, env: { B: "2" } })
 * assert.strictEqual(merged.model, "a")
 * assert.strictEqual(merged.maxTurns, 2)
 * assert.deepStrictEqual(merged.env, { A: "1", B: "2" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const mergeOptions = (defaults: Options, options: Options | undefined): Options =>
  options === undefined || options === null
    ? defaults
    : {
      ...defaults,
      ...options,
      env: defaults.env === undefined ? options.env : { ...defaults.env, ...options.env },
      shutdown: defaults.shutdown === undefined ? options.shutdown : { ...defaults.shutdown, ...options.shutdown }
    }

/** Options that are neither an object nor absent (from untyped callers) cannot be merged. */
const notAnObject = (options: unknown): ClaudeError.InvalidOptions | undefined =>
  options === undefined || options === null || typeof options === "object"
    ? undefined
    : new ClaudeError.InvalidOptions({ option: "options", problem: `must be an object, got ${typeof options}` })

/**
 * Builds the service from default options. Every run is traced (a span `ClaudeCode.stream` or
 * `ClaudeCode.run`), counted in {@link metrics} and logged at Debug level; see the README's
 * Observability section.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * // a service with defaults, e.g. to wrap it in your own
 * const claude = ClaudeCode.make({ executable: "/opt/claude/bin/claude", permissionMode: "plan" })
 * const program = claude.run("Plan the refactoring")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (defaults: Options = {}): ClaudeCodeService => ({
  defaults,
  stream: (prompt, options) => {
    const invalid = notAnObject(options)
    if (invalid !== undefined) return Stream.fail(invalid)
    const merged = mergeOptions(defaults, options)
    return telemetry.instrumentStream(prompt, merged, internal.stream(prompt, merged))
  },
  run: (prompt, options) => {
    const invalid = notAnObject(options)
    if (invalid !== undefined) return Effect.fail(invalid)
    const merged = mergeOptions(defaults, options)
    return telemetry.instrumentRun(prompt, merged, (observe) => internal.run(prompt, merged, observe))
  }
})

/**
 * A layer providing {@link ClaudeCode} with the given defaults.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("Say hello").pipe(
 *   Effect.provide(ClaudeCode.layer({ model: "claude-sonnet-4-5", cwd: "/my/project" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (defaults: Options = {}): Layer.Layer<ClaudeCode> => Layer.succeed(ClaudeCode, make(defaults))

const service = Effect.map(Effect.serviceOption(ClaudeCode), Option.getOrElse(() => make()))

/**
 * Runs `prompt` and streams the decoded events. Uses the {@link ClaudeCode} service when one is
 * provided, otherwise the default service (`claude` on `PATH`). The stream fails with a
 * `ClaudeError.ClaudeCodeError` after emitting every event the CLI wrote; interrupting its
 * consumer stops the CLI (SIGINT first, so it saves the session) and leaves no process behind.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const program = ClaudeCode.stream("Write a haiku", { includePartialMessages: true }).pipe(
 *   Stream.runForEach((event) => Effect.log(event._tag))
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const stream = (
  prompt: string,
  options?: Options
): Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError> =>
  Stream.unwrap(Effect.map(service, (s) => s.stream(prompt, options)))

/**
 * Runs `prompt` to completion and folds the events into a {@link ClaudeResult.ClaudeResult}.
 * Fails with `ClaudeError.ClaudeFailure` when Claude reports an error (`is_error`), carrying the
 * result.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const result = yield* ClaudeCode.run("What is 2 + 2?")
 *   yield* Effect.log(result.text, result.sessionId, result.costUsd)
 * })
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  prompt: string,
  options?: Options
): Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError> =>
  Effect.flatMap(service, (s) => s.run(prompt, options))

/**
 * The metrics every run of the {@link ClaudeCode} service records (`effect/Metric`; export them
 * with `@effect/opentelemetry` or read them with `Metric.value`):
 *
 * - `runsStarted` `effect_claude_code_runs_started`, `runsFinished` `effect_claude_code_runs_finished`
 *   (ended without an error), `runsFailed` `effect_claude_code_runs_failed` (tag `error`: the error's
 *   `_tag`, `Interrupted` or `Defect`): counters, tag `transport`.
 * - `tokens` `effect_claude_code_tokens`: counter, tag `type` (`input`, `output`, `cache_read`,
 *   `cache_creation`), from each run's `result`.
 * - `costUsd` `effect_claude_code_cost_usd`: counter, `total_cost_usd` of each run's `result`.
 * - `runDuration` `effect_claude_code_run_duration`: timer (histogram, milliseconds), tag `transport`.
 * - `runsActive` `effect_claude_code_runs_active`: gauge, runs (CLI processes) in progress.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect, Metric } from "effect"
 *
 * const report = Effect.gen(function*() {
 *   const cost = yield* Metric.value(ClaudeCode.metrics.costUsd)
 *   const failed = yield* Metric.value(
 *     ClaudeCode.metrics.runsFailed.pipe(Metric.tagged("transport", "pty"), Metric.tagged("error", "ClaudeFailure"))
 *   )
 *   yield* Effect.log(`spent $${cost.count}, ${failed.count} runs failed with ClaudeFailure`)
 * })
 * ```
 *
 * @since 0.1.0
 * @category observability
 */
export const metrics = {
  runsStarted: telemetry.runsStarted,
  runsFinished: telemetry.runsFinished,
  runsFailed: telemetry.runsFailed,
  tokens: telemetry.tokens,
  costUsd: telemetry.costUsd,
  runDuration: telemetry.runDuration,
  runsActive: telemetry.runsActive
} as const

/**
 * Options of {@link retryRateLimited}.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * import { Schedule } from "effect"
 *
 * const options: ClaudeCode.RetryRateLimitedOptions = { maxWait: "10 minutes" }
 * const program = ClaudeCode.run("hi").pipe(ClaudeCode.retryRateLimited(Schedule.recurs(2), options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryRateLimitedOptions {
  /**
   * The longest wait for a rate limit's `resetsAt` (default 5 minutes). A limit that resets
   * later is not waited for: the run fails with its `ClaudeFailure` at once.
   */
  readonly maxWait?: Duration.DurationInput | undefined
}

const DEFAULT_MAX_WAIT = Duration.minutes(5)

/**
 * Waits before retrying a run rejected for rate limits: the schedule's delay, then until the
 * limit's `resetsAt` if that is later. `false` (at once) when the schedule is done or the reset
 * is more than `maxWait` away.
 */
const waitForRetry = <Out, R>(
  driver: Schedule.ScheduleDriver<Out, ClaudeError.ClaudeFailure, R>,
  maxWait: number,
  error: ClaudeError.ClaudeFailure
): Effect.Effect<boolean, never, R> =>
  Effect.gen(function*() {
    const resetsAt = ClaudeError.rateLimitResetsAt(error)
    if (resetsAt !== undefined && resetsAt - (yield* Clock.currentTimeMillis) > maxWait) return false
    // Waits the schedule's delay, or fails when the schedule is done.
    if (Either.isLeft(yield* Effect.either(driver.next(error)))) return false
    if (resetsAt !== undefined) {
      const left = resetsAt - (yield* Clock.currentTimeMillis)
      if (left > 0) yield* Effect.sleep(Duration.millis(left))
    }
    return true
  })

/**
 * Retries an effect (e.g. {@link run}) that Claude rejected for rate limits
 * (`ClaudeError.isRateLimited`: HTTP 429 or a rejected `rate_limit_event`), as `Effect.retry`
 * would with `schedule`; every other error is returned at once. When the CLI said when the
 * limit resets (`resetsAt`, subscription users), the retry waits until then as well (at least
 * the schedule's delay); a reset already past only waits the schedule's delay; a reset further
 * than `maxWait` away ends the retries with the error. For a {@link stream}, see
 * {@link retryRateLimitedStream}.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Schedule } from "effect"
 *
 * const program = ClaudeCode.run("Summarise the changes").pipe(
 *   ClaudeCode.retryRateLimited(Schedule.exponential("10 seconds").pipe(Schedule.intersect(Schedule.recurs(3))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category retrying
 */
export const retryRateLimited: {
  <Out, R2>(
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R2>
  <A, E, R, Out, R2>(
    self: Effect.Effect<A, E, R>,
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): Effect.Effect<A, E, R | R2>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R, Out, R2>(
    self: Effect.Effect<A, E, R>,
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): Effect.Effect<A, E, R | R2> =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const maxWait = Duration.toMillis(options?.maxWait ?? DEFAULT_MAX_WAIT)
      const attempt: Effect.Effect<A, E, R | R2> = Effect.catchAll(self, (error) =>
        ClaudeError.isRateLimited(error)
          ? Effect.flatMap(waitForRetry(driver, maxWait, error), (retry) => retry ? attempt : Effect.fail(error))
          : Effect.fail(error))
      return attempt
    })
)

/**
 * {@link retryRateLimited} for a stream (e.g. {@link stream}): when it fails with a rate-limit
 * rejection, it is run again after the same waits, and the new attempt's events follow the
 * rejected one's (which ended with its `RateLimit` and `Result` events; `ClaudeResult.fold`
 * starts a new turn at the next `SystemInit`). Unlike `Stream.retry`, the schedule is not reset
 * by the events of a new attempt, so `Schedule.recurs(n)` allows n retries in all.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Effect, Schedule, Stream } from "effect"
 *
 * const program = ClaudeCode.stream("Write a haiku").pipe(
 *   ClaudeCode.retryRateLimitedStream(Schedule.spaced("30 seconds").pipe(Schedule.intersect(Schedule.recurs(2)))),
 *   Stream.runForEach((event) => Effect.log(event._tag))
 * )
 * ```
 *
 * @since 0.1.0
 * @category retrying
 */
export const retryRateLimitedStream: {
  <Out, R2>(
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R | R2>
  <A, E, R, Out, R2>(
    self: Stream.Stream<A, E, R>,
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): Stream.Stream<A, E, R | R2>
} = dual(
  (args) => Stream.StreamTypeId in Object(args[0]),
  <A, E, R, Out, R2>(
    self: Stream.Stream<A, E, R>,
    schedule: Schedule.Schedule<Out, ClaudeError.ClaudeFailure, R2>,
    options?: RetryRateLimitedOptions
  ): Stream.Stream<A, E, R | R2> =>
    Stream.unwrap(Effect.map(Schedule.driver(schedule), (driver) => {
      const maxWait = Duration.toMillis(options?.maxWait ?? DEFAULT_MAX_WAIT)
      const attempt: Stream.Stream<A, E, R | R2> = Stream.catchAll(self, (error) =>
        ClaudeError.isRateLimited(error)
          ? Stream.unwrap(
            Effect.map(waitForRetry(driver, maxWait, error), (retry) => retry ? attempt : Stream.fail(error))
          )
          : Stream.fail(error))
      return attempt
    }))
)
