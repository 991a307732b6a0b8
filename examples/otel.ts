/**
 * Observability: every Claude Code run is a span with the session, model, cost and tokens, an
 * event per tool call, and a set of metrics; here both are exported with `@effect/opentelemetry`
 * to the console (swap the console exporters for OTLP ones to send them to a collector). The
 * library's Debug logs are shown too: they carry the prompt's length, never its text.
 *
 *   npx tsx examples/otel.ts            # a local stand-in model answers
 *   npx tsx examples/otel.ts --real     # the real Claude
 */
import { NodeSdk } from "@effect/opentelemetry"
import { NodeRuntime } from "@effect/platform-node"
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Console, Effect, Logger, LogLevel, Schedule } from "effect"
import { ClaudeCode } from "effect-claude-code"
import * as Backend from "./_backend.js"

// Spans are printed as each one ends; metrics once, when the program ends (the reader's
// interval is longer than the program) and the SDK shuts down.
const Observability = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-claude-code-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter()),
  metricReader: new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: 60_000
  })
}))

const program = Effect.gen(function*() {
  // A run with a tool call: its span gets a claude_code.tool_use and a claude_code.tool_result
  // event. Runs Claude rejects for rate limits are retried (waiting for the limit's reset when
  // the CLI says when that is); every attempt is a span of its own.
  const result = yield* ClaudeCode.run("Run `echo hello` with the Bash tool and tell me what it printed.", {
    allowedTools: ["Bash(echo:*)"]
  }).pipe(
    ClaudeCode.retryRateLimited(Schedule.exponential("5 seconds").pipe(Schedule.intersect(Schedule.recurs(3)))),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
  yield* Console.log(`answer: ${result.text}`)

  // A failed run: its span ends with an error status and claude_code.error = "SpawnError", and
  // effect_claude_code_runs_failed counts it under that tag.
  const failed = yield* ClaudeCode.run("hi", { executable: "/no/such/claude" }).pipe(Effect.flip)
  yield* Console.log(`failed run: ${failed._tag}`)
  yield* Console.log("--- the spans were printed as they ended; the metrics follow ---")
}).pipe(
  // The runs' spans become children of this one.
  Effect.withSpan("example")
)

// Only the program is traced, not the loopback model server behind it.
program.pipe(Effect.provide(Observability), Effect.provide(Backend.layer), NodeRuntime.runMain)
