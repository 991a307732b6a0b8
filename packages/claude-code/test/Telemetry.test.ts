/**
 * Observability of `ClaudeCode.stream` / `ClaudeCode.run`: the spans a test tracer records, the
 * values of `ClaudeCode.metrics`, and what reaches the logger, from real runs of the fake CLI
 * (successes with tool calls, each kind of failure, interruption) and of the real CLI against the
 * loopback model server.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import type * as MetricState from "effect/MetricState"
import type * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ModelServer from "../src/ModelServer.js"
import { assertTag, fakeClaude, forkUntil, isTag, quickShutdown, realCli } from "./utils/claudeTest.js"

// -----------------------------------------------------------------------------
// A tracer that keeps every span
// -----------------------------------------------------------------------------

interface RecordedEvent {
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
}

class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId = "test-trace"
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<RecordedEvent> = []
  links: Array<Tracer.SpanLink>
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = `span-${id}`
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push({ name, attributes: attributes ?? {} })
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    for (const link of links) this.links.push(link)
  }
}

/** Runs `self` with a tracer that records its spans. */
const traced = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const spans: Array<RecordedSpan> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind) => {
        const span = new RecordedSpan(name, parent, context, links, startTime, kind, spans.length)
        spans.push(span)
        return span
      },
      context: (f) => f()
    })
    return Effect.map(Effect.exit(Effect.withTracer(self, tracer)), (exit) => ({ exit, spans }))
  })

/** The one span named `name`, ended. */
const endedSpan = (spans: ReadonlyArray<RecordedSpan>, name: string) => {
  const matching = spans.filter((span) => span.name === name)
  assert.strictEqual(matching.length, 1, `one ${name} span, got ${spans.map((span) => span.name).join(", ")}`)
  const span = matching[0]!
  assert.strictEqual(span.status._tag, "Ended", `${name} ended`)
  assert.strictEqual(span.kind, "client")
  return { span, exit: (span.status as Extract<Tracer.SpanStatus, { _tag: "Ended" }>).exit }
}

/** The span named `name` is a child of `parent` (spans made inside a `run` nest under it). */
const assertChild = (spans: ReadonlyArray<RecordedSpan>, name: string, parent: RecordedSpan) => {
  const child = spans.find((span) => span.name === name)
  assert.isDefined(child, `a ${name} span`)
  assert.strictEqual(child!.parent._tag === "Some" ? child!.parent.value.spanId : undefined, parent.spanId)
}

// -----------------------------------------------------------------------------
// Metrics and logs
// -----------------------------------------------------------------------------

const { metrics } = ClaudeCode
const counter = (metric: Metric.Metric.Counter<number>, ...tags: ReadonlyArray<readonly [string, string]>) =>
  Effect.map(
    Metric.value(tags.reduce((m, [key, value]) => Metric.tagged(m, key, value), metric)),
    (state: MetricState.MetricState.Counter<number>) => state.count
  )

/** Every figure a run moves, read at once (counters only grow: tests compare before and after). */
const readMetrics = (transport: ClaudeCode.Transport, error: string) =>
  Effect.all({
    started: counter(metrics.runsStarted, ["transport", transport]),
    finished: counter(metrics.runsFinished, ["transport", transport]),
    failed: counter(metrics.runsFailed, ["transport", transport], ["error", error]),
    input: counter(metrics.tokens, ["type", "input"]),
    output: counter(metrics.tokens, ["type", "output"]),
    cacheRead: counter(metrics.tokens, ["type", "cache_read"]),
    cacheCreation: counter(metrics.tokens, ["type", "cache_creation"]),
    costUsd: counter(metrics.costUsd),
    durations: Effect.map(Metric.value(Metric.tagged(metrics.runDuration, "transport", transport)), (s) => s.count),
    active: Effect.map(Metric.value(metrics.runsActive), (s) => s.value)
  })

type Figures = Effect.Effect.Success<ReturnType<typeof readMetrics>>

const delta = (before: Figures, after: Figures): Figures => {
  const out: Record<string, number> = {}
  for (const key of Object.keys(before) as Array<keyof Figures>) out[key] = after[key] - before[key]
  // Costs are doubles: compare to the cent of a cent.
  out.costUsd = Math.round(out.costUsd! * 1e6) / 1e6
  return out as unknown as Figures
}

interface CapturedLog {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

/** Runs `self` logging at every level into an array, instead of the console. */
const withCapturedLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const logs: Array<CapturedLog> = []
    const logger = Logger.make<unknown, void>(({ annotations, logLevel, message }) => {
      logs.push({
        level: logLevel.label,
        message: List.toArray(List.fromIterable(Array.isArray(message) ? message : [message])).map(String).join(" "),
        annotations: Object.fromEntries(HashMap.toEntries(annotations))
      })
    })
    return self.pipe(
      Effect.exit,
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.map((exit) => ({ exit, logs }))
    )
  })

// -----------------------------------------------------------------------------
// Runs
// -----------------------------------------------------------------------------

const FAKE_SESSION = "00000000-0000-4000-8000-000000000001"

const fake = (transport: ClaudeCode.Transport, mode: string, env: Record<string, string> = {}) =>
  Effect.map(ClaudeEnv.tempDirectory("claude-telemetry-"), (cwd): ClaudeCode.Options => ({
    executable: fakeClaude,
    cwd,
    transport,
    env: { FAKE_CLAUDE_MODE: mode, FAKE_CLAUDE_PID_FILE: Path.join(cwd, "pid"), ...env },
    shutdown: quickShutdown
  }))

/** Every string recorded on the spans: attribute values and event attribute values. */
const recordedStrings = (spans: ReadonlyArray<RecordedSpan>): ReadonlyArray<string> =>
  spans.flatMap((span) => [
    ...[...span.attributes.values()].map(String),
    ...span.events.flatMap((event) => Object.values(event.attributes).map(String))
  ])

describe("spans and metrics", () => {
  for (const kind of ["stream", "run"] as const) {
    it.scopedLive(`${kind}: a run with tool calls is a span with the result's figures and an event per tool call and result`, () =>
      Effect.gen(function*() {
        const options = yield* fake("pipe", "tools")
        const prompt = "use the tools, prompt text that must not be recorded"
        const before = yield* readMetrics("pipe", "none")
        const { exit, spans } = yield* traced(
          kind === "stream"
            ? Stream.runDrain(ClaudeCode.stream(prompt, options))
            : ClaudeCode.run(prompt, options)
        )
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        const after = yield* readMetrics("pipe", "none")

        const { exit: spanExit, span } = endedSpan(spans, `ClaudeCode.${kind}`)
        assert.isTrue(Exit.isSuccess(spanExit))
        assert.deepStrictEqual(Object.fromEntries(span.attributes), {
          "claude_code.transport": "pipe",
          "claude_code.prompt_length": prompt.length,
          "claude_code.session_id": FAKE_SESSION,
          "claude_code.model": "claude-fake-1",
          "claude_code.cost_usd": 0.0125,
          "claude_code.num_turns": 3,
          "claude_code.usage.input_tokens": 120,
          "claude_code.usage.output_tokens": 45,
          "claude_code.usage.cache_read_input_tokens": 800,
          "claude_code.usage.cache_creation_input_tokens": 64,
          "claude_code.is_error": false,
          "claude_code.duration_ms": 12,
          "claude_code.terminal_reason": "completed"
        })
        assert.deepStrictEqual(span.events, [
          { name: "claude_code.tool_use", attributes: { "tool.id": "toolu_fake_bash", "tool.name": "Bash" } },
          {
            name: "claude_code.tool_result",
            attributes: { "tool.id": "toolu_fake_bash", "tool.name": "Bash", "tool.is_error": false }
          },
          { name: "claude_code.tool_use", attributes: { "tool.id": "toolu_fake_read", "tool.name": "Read" } },
          {
            name: "claude_code.tool_result",
            attributes: { "tool.id": "toolu_fake_read", "tool.name": "Read", "tool.is_error": true }
          }
        ])
        // Neither the prompt nor tool input or output is recorded.
        for (const value of recordedStrings(spans)) {
          assert.notInclude(value, "prompt text")
          assert.notInclude(value, "secret-tool-input")
        }

        assert.deepStrictEqual(delta(before, after), {
          started: 1,
          finished: 1,
          failed: 0,
          input: 120,
          output: 45,
          cacheRead: 800,
          cacheCreation: 64,
          costUsd: 0.0125,
          durations: 1,
          active: 0
        })
      }))
  }

  it.scopedLive("a ClaudeFailure (429, rejected rate limit): the span fails with its tag, the rate limit is an event", () =>
    Effect.gen(function*() {
      const options = yield* fake("pipe", "rate-limited", { FAKE_CLAUDE_RESETS_AT: "1767225600" })
      const before = yield* readMetrics("pipe", "ClaudeFailure")
      const { exit, spans } = yield* traced(Stream.runCollect(ClaudeCode.stream("hi", options)))
      const after = yield* readMetrics("pipe", "ClaudeFailure")
      assert.isTrue(Exit.isFailure(exit))

      const { exit: spanExit, span } = endedSpan(spans, "ClaudeCode.stream")
      assert.isTrue(Exit.isFailure(spanExit))
      assert.strictEqual(span.attributes.get("claude_code.error"), "ClaudeFailure")
      assert.strictEqual(span.attributes.get("claude_code.api_error_status"), 429)
      assert.strictEqual(span.attributes.get("claude_code.is_error"), true)
      assert.strictEqual(span.attributes.get("claude_code.terminal_reason"), "api_error")
      assert.deepStrictEqual(span.events, [{
        name: "claude_code.rate_limit",
        attributes: { status: "rejected", resets_at: 1767225600, rate_limit_type: "five_hour" }
      }])
      assert.deepStrictEqual(delta(before, after), {
        started: 1,
        finished: 0,
        failed: 1,
        input: 0,
        output: 0,
        cacheRead: 0,
        cacheCreation: 0,
        costUsd: 0,
        durations: 1,
        active: 0
      })
    }))

  for (const kind of ["stream", "run"] as const) {
    it.scopedLive(`${kind}: a CLI that exits without a result fails the span with ProcessError, counted under that tag`, () =>
      Effect.gen(function*() {
        const options = yield* fake("pipe", "exit-no-result")
        const before = yield* readMetrics("pipe", "ProcessError")
        const { exit, spans } = yield* traced(
          kind === "stream" ? Stream.runDrain(ClaudeCode.stream("hi", options)) : ClaudeCode.run("hi", options)
        )
        const after = yield* readMetrics("pipe", "ProcessError")
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assertTag(Cause.squash(exit.cause) as ClaudeError.ClaudeCodeError, "ProcessError")
        const { exit: spanExit, span } = endedSpan(spans, `ClaudeCode.${kind}`)
        assert.isTrue(Exit.isFailure(spanExit))
        assert.strictEqual(span.attributes.get("claude_code.error"), "ProcessError")
        // The partial result names the session the CLI announced before it died.
        assert.strictEqual(span.attributes.get("claude_code.session_id"), FAKE_SESSION)
        assert.isFalse(span.attributes.has("claude_code.cost_usd"))
        const moved = delta(before, after)
        assert.deepStrictEqual([moved.started, moved.finished, moved.failed, moved.active], [1, 0, 1, 0])
      }))
  }

  for (const kind of ["stream", "run"] as const) {
    it.scopedLive(`${kind}: a CLI that dies after a tool call: the call is one event pair, the session from the partial result`, () =>
      Effect.gen(function*() {
        // The first lines of the "tools" run (init, a tool call and its result), then exit 3.
        const tools = yield* fake("pipe", "tools")
        const lines = yield* ClaudeCode.stream("hi", tools).pipe(
          Stream.take(3),
          Stream.map((event) => ClaudeEvent.encodeLine(event)),
          Stream.runCollect
        )
        const transcript = Path.join(tools.cwd!, "cut.ndjson")
        yield* Effect.sync(() => Fs.writeFileSync(transcript, [...lines].join("\n") + "\n"))
        const options = yield* fake("pipe", "fixture", { FAKE_CLAUDE_FIXTURE: transcript, FAKE_CLAUDE_EXIT: "3" })
        const { exit, spans } = yield* traced(
          kind === "stream" ? Stream.runDrain(ClaudeCode.stream("hi", options)) : ClaudeCode.run("hi", options)
        )
        assert.isTrue(Exit.isFailure(exit))
        const { span } = endedSpan(spans, `ClaudeCode.${kind}`)
        assert.strictEqual(span.attributes.get("claude_code.error"), "ProcessError")
        assert.strictEqual(span.attributes.get("claude_code.session_id"), FAKE_SESSION)
        assert.deepStrictEqual(span.events.map((event) => [event.name, event.attributes["tool.id"]]), [
          ["claude_code.tool_use", "toolu_fake_bash"],
          ["claude_code.tool_result", "toolu_fake_bash"]
        ])
      }))
  }

  it.scopedLive("spawn failures and invalid options are failed spans too", () =>
    Effect.gen(function*() {
      const missing = yield* traced(ClaudeCode.run("hi", { executable: "/nonexistent/claude", transport: "pipe" }))
      assert.strictEqual(
        endedSpan(missing.spans, "ClaudeCode.run").span.attributes.get("claude_code.error"),
        "SpawnError"
      )
      const invalid = yield* traced(Stream.runDrain(ClaudeCode.stream("hi", { maxTurns: 0, transport: "pipe" })))
      assert.strictEqual(
        endedSpan(invalid.spans, "ClaudeCode.stream").span.attributes.get("claude_code.error"),
        "InvalidOptions"
      )
    }))

  it.scopedLive("stream: interrupting the consumer ends the span as interrupted and the run as failed (Interrupted)", () =>
    Effect.gen(function*() {
      const options = yield* fake("pty", "wait-for-sigint")
      const before = yield* readMetrics("pty", "Interrupted")
      const { exit, spans } = yield* traced(Effect.gen(function*() {
        const { fiber, first } = yield* forkUntil(ClaudeCode.stream("hi", options), isTag("SystemInit"))
        yield* first
        assert.strictEqual((yield* Metric.value(metrics.runsActive)).value - before.active, 1)
        yield* Fiber.interrupt(fiber)
      }))
      assert.isTrue(Exit.isSuccess(exit))
      const after = yield* readMetrics("pty", "Interrupted")
      const { exit: spanExit, span } = endedSpan(spans, "ClaudeCode.stream")
      assert.isTrue(Exit.isFailure(spanExit) && Cause.isInterruptedOnly(spanExit.cause))
      assert.strictEqual(span.attributes.get("claude_code.error"), "Interrupted")
      assert.strictEqual(span.attributes.get("claude_code.session_id"), FAKE_SESSION)
      const moved = delta(before, after)
      assert.deepStrictEqual([moved.started, moved.finished, moved.failed, moved.active], [1, 0, 1, 0])
    }))

  it.scopedLive("stream: a consumer that stops early (Stream.take) ends the span successfully, counted as finished", () =>
    Effect.gen(function*() {
      const options = yield* fake("pipe", "wait-for-sigint")
      const before = yield* readMetrics("pipe", "none")
      const { exit, spans } = yield* traced(Stream.runCollect(Stream.take(ClaudeCode.stream("hi", options), 1)))
      const after = yield* readMetrics("pipe", "none")
      assert.isTrue(Exit.isSuccess(exit))
      const { exit: spanExit, span } = endedSpan(spans, "ClaudeCode.stream")
      assert.isTrue(Exit.isSuccess(spanExit))
      assert.strictEqual(span.attributes.get("claude_code.session_id"), FAKE_SESSION)
      assert.isFalse(span.attributes.has("claude_code.error"))
      const moved = delta(before, after)
      assert.deepStrictEqual([moved.started, moved.finished, moved.failed, moved.active, moved.input], [1, 1, 0, 0, 0])
    }))

  it.scopedLive("run: interrupting it ends the span as interrupted", () =>
    Effect.gen(function*() {
      const options = yield* fake("pty", "wait-for-sigint")
      const pidFile = Path.join(options.cwd!, "pid")
      const before = yield* readMetrics("pty", "Interrupted")
      const { spans } = yield* traced(Effect.gen(function*() {
        const fiber = yield* Effect.fork(ClaudeCode.run("hi", options))
        // The fake writes its pid file first thing: the process is running.
        yield* Effect.sync(() => Fs.existsSync(pidFile)).pipe(
          Effect.repeat({ schedule: Schedule.spaced("10 millis"), until: (exists) => exists })
        )
        yield* Fiber.interrupt(fiber)
      }))
      const after = yield* readMetrics("pty", "Interrupted")
      const { exit: spanExit, span } = endedSpan(spans, "ClaudeCode.run")
      assert.isTrue(Exit.isFailure(spanExit) && Cause.isInterruptedOnly(spanExit.cause))
      assert.strictEqual(span.attributes.get("claude_code.error"), "Interrupted")
      assertChild(spans, "PtyProcess.spawn", span)
      const moved = delta(before, after)
      assert.deepStrictEqual([moved.started, moved.failed, moved.active], [1, 1, 0])
    }))

  it.scopedLive("the real CLI: the span carries the session, model, cost and tokens of the folded result", () =>
    Effect.gen(function*() {
      const cli = yield* realCli("pipe", {
        script: () =>
          ModelServer.text("Four.", { usage: { inputTokens: 321, outputTokens: 7, cacheReadInputTokens: 50 } })
      })
      const before = yield* readMetrics("pipe", "none")
      const { exit, spans } = yield* traced(ClaudeCode.run("What is 2 + 2?", cli.options))
      const after = yield* readMetrics("pipe", "none")
      if (!Exit.isSuccess(exit)) return assert.fail(String(exit))
      const result = exit.value
      const { span } = endedSpan(spans, "ClaudeCode.run")
      assert.strictEqual(span.attributes.get("claude_code.session_id"), result.sessionId)
      assert.strictEqual(span.attributes.get("claude_code.model"), result.model)
      assert.strictEqual(span.attributes.get("claude_code.cost_usd"), result.costUsd)
      assert.isAbove(result.costUsd, 0)
      assert.strictEqual(span.attributes.get("claude_code.usage.input_tokens"), result.usage.inputTokens)
      assert.strictEqual(span.attributes.get("claude_code.usage.output_tokens"), result.usage.outputTokens)
      assert.strictEqual(result.usage.cacheReadInputTokens, 50)
      const moved = delta(before, after)
      assert.strictEqual(moved.input, result.usage.inputTokens)
      assert.strictEqual(moved.output, result.usage.outputTokens)
      assert.strictEqual(moved.cacheRead, 50)
      assert.strictEqual(moved.finished, 1)
    }))
})

describe("logs", () => {
  const prompt = "The launch code is swordfish-7781, keep it secret"
  const secrets = { ANTHROPIC_API_KEY: "sk-ant-api03-very-secret-key", ANTHROPIC_AUTH_TOKEN: "auth-token-very-secret" }

  const assertClean = (logs: ReadonlyArray<CapturedLog>) => {
    for (const log of logs) {
      const text = log.message + " " + JSON.stringify(log.annotations)
      for (const secret of ["swordfish", ...Object.values(secrets)]) {
        assert.notInclude(text, secret, `a ${log.level} log leaked a secret: ${text}`)
      }
    }
  }

  for (const kind of ["stream", "run"] as const) {
    it.scopedLive(`${kind}: debug logs at start and result carry the prompt's length, never its text or a key`, () =>
      Effect.gen(function*() {
        // "echo" answers with the prompt itself: it is in the result event and the result text.
        const options = yield* fake("pipe", "echo", secrets)
        const { exit, logs } = yield* withCapturedLogs(
          kind === "stream" ? Stream.runDrain(ClaudeCode.stream(prompt, options)) : ClaudeCode.run(prompt, options)
        )
        assert.isTrue(Exit.isSuccess(exit))
        assertClean(logs)
        const start = logs.find((log) => log.message === "Claude Code run starting")
        assert.isDefined(start)
        assert.strictEqual(start!.level, "DEBUG")
        assert.deepStrictEqual(start!.annotations, {
          module: "effect-claude-code",
          transport: "pipe",
          executable: fakeClaude,
          promptLength: prompt.length
        })
        const result = logs.find((log) => log.message === "Claude Code result")
        assert.isDefined(result)
        assert.strictEqual(result!.annotations.sessionId, FAKE_SESSION)
        assert.strictEqual(result!.annotations.costUsd, 0.0001)
        assert.strictEqual(result!.annotations.isError, false)
        // logged when the session starts (the runner shows `run` its events as they are decoded)
        const started = logs.findIndex((log) => log.message === "Claude Code session started")
        assert.strictEqual(logs[started]?.annotations.model, "claude-fake-1")
        assert.strictEqual(logs.filter((log) => log.message === "Claude Code session started").length, 1)
        assert.isBelow(started, logs.indexOf(result!))
        assert.isTrue(logs.every((log) => log.level === "DEBUG"))
      }))
  }

  it.scopedLive("debug logs are the run span's events when Debug is on; at the default level there are none", () =>
    Effect.gen(function*() {
      const options = yield* fake("pipe", "echo")
      const logEvents = (spans: ReadonlyArray<RecordedSpan>) =>
        endedSpan(spans, "ClaudeCode.run").span.events.map((event) => event.name).filter((name) =>
          name.startsWith("Claude Code")
        )
      const on = yield* traced(withCapturedLogs(ClaudeCode.run(prompt, options)))
      assert.deepStrictEqual(logEvents(on.spans), [
        "Claude Code run starting",
        "Claude Code session started",
        "Claude Code result"
      ])
      // Effect's default minimum level (Info) drops Debug logs, and the span gets no log events
      const off = yield* traced(ClaudeCode.run(prompt, options).pipe(Logger.withMinimumLogLevel(LogLevel.Info)))
      assert.isTrue(Exit.isSuccess(off.exit))
      assert.deepStrictEqual(logEvents(off.spans), [])
    }))

  it.scopedLive("failures are logged with the error tag and facts, never the prompt or a key", () =>
    Effect.gen(function*() {
      const failed = yield* fake("pipe", "exit-no-result", secrets)
      const { logs } = yield* withCapturedLogs(ClaudeCode.run(prompt, failed))
      assertClean(logs)
      const log = logs.find((log) => log.message === "Claude Code run failed")
      assert.isDefined(log)
      assert.strictEqual(log!.annotations.error, "ProcessError")
      assert.strictEqual(log!.annotations.exitCode, 3)

      // A rejected run's result text (the API error) and the prompt stay out of the logs too.
      const limited = yield* fake("pipe", "rate-limited", secrets)
      const second = yield* withCapturedLogs(Stream.runDrain(ClaudeCode.stream(prompt, limited)))
      assertClean(second.logs)
      const limitedLog = second.logs.find((log) => log.message === "Claude Code run failed")
      assert.strictEqual(limitedLog?.annotations.apiErrorStatus, 429)
      assert.isTrue(second.logs.every((log) => !log.message.includes("Rate limited")))
    }))
})
