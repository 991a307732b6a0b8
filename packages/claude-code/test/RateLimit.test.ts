/**
 * Rate limits: `ClaudeError.isRateLimited`, and `ClaudeCode.retryRateLimited` retrying runs Claude
 * rejected for rate limits (and nothing else), waiting for `resetsAt` when the CLI gives one.
 * Against the real CLI and a model server answering HTTP 429, against the fake CLI's rejected
 * `rate_limit_event`, and with `TestClock` for the waiting rules.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import * as ClaudeError from "../src/ClaudeError.js"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import * as ModelServer from "../src/ModelServer.js"
import { assertTag, fakeClaude, isTag, quickShutdown, realCli } from "./utils/claudeTest.js"

/** The fake CLI rejecting its first `rejections` runs, counting runs in a file. */
const rateLimitedFake = (rejections: number, env: Record<string, string> = {}) =>
  Effect.map(ClaudeEnv.tempDirectory("claude-rate-limit-"), (cwd) => {
    const countFile = Path.join(cwd, "count")
    const options: ClaudeCode.Options = {
      executable: fakeClaude,
      cwd,
      transport: "pipe",
      env: {
        FAKE_CLAUDE_MODE: "rate-limited",
        FAKE_CLAUDE_COUNT_FILE: countFile,
        FAKE_CLAUDE_REJECTIONS: String(rejections),
        ...env
      },
      shutdown: quickShutdown
    }
    return { options, runs: () => Fs.existsSync(countFile) ? Number(Fs.readFileSync(countFile, "utf8")) : 0 }
  })

const failureOf = <A>(exit: Exit.Exit<A, ClaudeError.ClaudeCodeError>): ClaudeError.ClaudeCodeError => {
  if (Exit.isSuccess(exit)) return assert.fail("expected a failure")
  return Cause.squash(exit.cause) as ClaudeError.ClaudeCodeError
}

/** A failed run's error as the runner builds it, from a result reporting failure with `fields`. */
const failure = (fields: Partial<ConstructorParameters<typeof ClaudeResult.ClaudeResult>[0]>) =>
  ClaudeError.ClaudeFailure.fromResult(
    new ClaudeResult.ClaudeResult({ ...ClaudeResult.empty, hasResult: true, isError: true, ...fields })
  )

/** A run rejected with HTTP 429, with the rate limit the CLI reported. */
const rejected = (rateLimit?: ClaudeEvent.RateLimitInfo) =>
  failure({ terminalReason: "api_error", apiErrorStatus: 429, ...(rateLimit === undefined ? {} : { rateLimit }) })

describe("isRateLimited", () => {
  it.scopedLive("the fake CLI's rejected run: a ClaudeFailure with 429, the rate limit in the result and as an event", () =>
    Effect.gen(function*() {
      const { options } = yield* rateLimitedFake(1, { FAKE_CLAUDE_RESETS_AT: "1767225600" })
      const events: Array<ClaudeEvent.ClaudeEvent> = []
      const exit = yield* Effect.exit(Stream.runForEach(ClaudeCode.stream("hi", options), (event) =>
        Effect.sync(() => {
          events.push(event)
        })))
      const error = assertTag(failureOf(exit), "ClaudeFailure")
      assert.isTrue(ClaudeError.isRateLimited(error))
      assert.strictEqual(error.apiErrorStatus, 429)
      assert.deepStrictEqual(error.result.rateLimit, {
        status: "rejected",
        resetsAt: 1767225600,
        rateLimitType: "five_hour",
        isUsingOverage: false
      })
      assert.strictEqual(ClaudeError.rateLimitResetsAt(error), 1767225600 * 1000)
      assert.include(error.message, "2026-01-01T00:00:00.000Z")
      assert.strictEqual(events.filter(isTag("RateLimit")).length, 1)
    }))

  it("only rate-limit failures", () => {
    assert.isTrue(ClaudeError.isRateLimited(rejected()))
    // A rejected rate_limit_event marks the failure even when the status is not 429.
    const overage = failure({ rateLimit: { status: "rejected" } })
    assert.isTrue(ClaudeError.isRateLimited(overage))
    assert.strictEqual(ClaudeError.rateLimitResetsAt(overage), undefined)
    assert.isFalse(ClaudeError.isRateLimited(failure({ apiErrorStatus: 529 })))
    assert.isFalse(
      ClaudeError.isRateLimited(failure({ terminalReason: "max_turns", rateLimit: { status: "allowed_warning" } }))
    )
    assert.isFalse(
      ClaudeError.isRateLimited(new ClaudeError.ProcessError({ exitCode: 1, signal: null, diagnostics: [] }))
    )
    assert.isFalse(ClaudeError.isRateLimited({ _tag: "ClaudeFailure", apiErrorStatus: 429 }))
  })
})

describe("retryRateLimited", () => {
  it.scopedLive("the real CLI: HTTP 429 with rate-limit headers, then an answer: retried once and succeeds", () =>
    Effect.gen(function*() {
      const cli = yield* realCli("pipe")
      const reset = Math.floor(Date.now() / 1000) + 1
      yield* cli.server.enqueue(
        ModelServer.httpError(429, {
          retryAfter: 1,
          headers: {
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": new Date(reset * 1000).toISOString()
          }
        })
      )
      // Without a policy the run fails: the CLI itself does not retry (CLAUDE_CODE_MAX_RETRIES=0).
      const once = assertTag(failureOf(yield* Effect.exit(ClaudeCode.run("hi", cli.options))), "ClaudeFailure")
      assert.strictEqual(once.apiErrorStatus, 429)
      assert.isTrue(ClaudeError.isRateLimited(once))

      yield* cli.server.enqueue(ModelServer.httpError(429, { retryAfter: 1 }))
      const result = yield* ClaudeCode.run("hi again", cli.options).pipe(
        ClaudeCode.retryRateLimited(Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3))))
      )
      assert.isTrue(ClaudeResult.isSuccess(result))
      assert.include(result.text, "hi again")
      // One model request per run: the first run's (refused), the second's (refused), the third's.
      const requests = yield* cli.server.messages
      assert.strictEqual(requests.length, 3)
    }))

  it.scopedLive("the fake CLI: rejected twice, then answered; every attempt is a run of its own", () =>
    Effect.gen(function*() {
      const { options, runs } = yield* rateLimitedFake(2)
      const failed = Metric.tagged(
        Metric.tagged(ClaudeCode.metrics.runsFailed, "transport", "pipe"),
        "error",
        "ClaudeFailure"
      )
      const before = (yield* Metric.value(failed)).count
      const result = yield* ClaudeCode.run("answer me", options).pipe(
        ClaudeCode.retryRateLimited(Schedule.spaced("10 millis"))
      )
      assert.strictEqual(result.text, "answer me")
      assert.strictEqual(runs(), 3)
      assert.strictEqual((yield* Metric.value(failed)).count - before, 2)
    }))

  it.scopedLive("the fake CLI: a schedule that is done returns the last rate-limit failure", () =>
    Effect.gen(function*() {
      const { options, runs } = yield* rateLimitedFake(5)
      const exit = yield* Effect.exit(
        ClaudeCode.run("hi", options).pipe(ClaudeCode.retryRateLimited(Schedule.recurs(1)))
      )
      assert.isTrue(ClaudeError.isRateLimited(failureOf(exit)))
      assert.strictEqual(runs(), 2)
    }))

  it.scopedLive("the fake CLI: other failures are never retried", () =>
    Effect.gen(function*() {
      const cwd = yield* ClaudeEnv.tempDirectory("claude-rate-limit-")
      const started = Metric.tagged(ClaudeCode.metrics.runsStarted, "transport", "pipe")
      const before = (yield* Metric.value(started)).count
      const exit = yield* Effect.exit(
        ClaudeCode.run("hi", {
          executable: fakeClaude,
          cwd,
          transport: "pipe",
          env: { FAKE_CLAUDE_MODE: "exit-no-result" },
          shutdown: quickShutdown
        }).pipe(ClaudeCode.retryRateLimited(Schedule.forever))
      )
      assertTag(failureOf(exit), "ProcessError")
      assert.strictEqual((yield* Metric.value(started)).count - before, 1)
    }))

  it.scopedLive("the fake CLI: waits until the rejected limit's resetsAt (Unix seconds) before retrying", () =>
    Effect.gen(function*() {
      const resetsAt = Math.ceil(Date.now() / 1000) + 1
      const { options, runs } = yield* rateLimitedFake(1, { FAKE_CLAUDE_RESETS_AT: String(resetsAt) })
      const result = yield* ClaudeCode.run("after the reset", options).pipe(
        ClaudeCode.retryRateLimited(Schedule.recurs(1))
      )
      const finished = Date.now()
      assert.strictEqual(result.text, "after the reset")
      assert.strictEqual(runs(), 2)
      assert.isAtLeast(finished, resetsAt * 1000)
    }))

  it.scopedLive("stream: a rejected attempt's events, then the retry's; the fold ends with the answer", () =>
    Effect.gen(function*() {
      const { options, runs } = yield* rateLimitedFake(2)
      const events = yield* ClaudeCode.stream("answer me", options).pipe(
        ClaudeCode.retryRateLimitedStream(Schedule.spaced("10 millis")),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      const rejectedTags = ["SystemInit", "RateLimit", "Assistant", "Result"]
      assert.deepStrictEqual(events.map((event) => event._tag), [
        ...rejectedTags,
        ...rejectedTags,
        "SystemInit",
        "Assistant",
        "Result"
      ])
      assert.strictEqual(runs(), 3)
      const result = yield* ClaudeResult.fold(Stream.fromIterable(events))
      assert.isTrue(ClaudeResult.isSuccess(result))
      assert.strictEqual(result.text, "answer me")

      // A done schedule ends the stream with the rejection.
      const limited = yield* rateLimitedFake(5)
      const exit = yield* Effect.exit(
        Stream.runDrain(ClaudeCode.retryRateLimitedStream(ClaudeCode.stream("hi", limited.options), Schedule.recurs(1)))
      )
      assert.isTrue(ClaudeError.isRateLimited(failureOf(exit)))
      assert.strictEqual(limited.runs(), 2)
    }))

  describe("waiting rules (TestClock)", () => {
    /** An effect rejected for rate limits `rejections` times, then succeeding; counts attempts. */
    const flaky = (rejections: number, error: ClaudeError.ClaudeFailure) => {
      let attempts = 0
      const effect = Effect.suspend(() => ++attempts > rejections ? Effect.succeed("ok") : Effect.fail(error))
      return { effect, attempts: () => attempts }
    }
    const now = 1_800_000_000_000 // TestClock time in ms, set below

    it.effect("resetsAt ahead: waits until then, even when the schedule's delay is shorter", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const { attempts, effect } = flaky(1, rejected({ status: "rejected", resetsAt: now / 1000 + 60 }))
        const fiber = yield* Effect.fork(effect.pipe(ClaudeCode.retryRateLimited(Schedule.spaced("1 second"))))
        yield* TestClock.adjust("1 second")
        assert.strictEqual(attempts(), 1)
        yield* TestClock.adjust("58 seconds")
        assert.strictEqual(attempts(), 1)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* Fiber.join(fiber), "ok")
        assert.strictEqual(attempts(), 2)
      }))

    it.effect("resetsAt already past, or none given: the schedule's delay", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        for (const error of [rejected({ status: "rejected", resetsAt: now / 1000 - 30 }), rejected()]) {
          const { attempts, effect } = flaky(2, error)
          const fiber = yield* Effect.fork(effect.pipe(ClaudeCode.retryRateLimited(Schedule.spaced("5 seconds"))))
          yield* TestClock.adjust("4 seconds")
          assert.strictEqual(attempts(), 1)
          yield* TestClock.adjust("1 second")
          assert.strictEqual(attempts(), 2)
          yield* TestClock.adjust("5 seconds")
          assert.strictEqual(yield* Fiber.join(fiber), "ok")
          assert.strictEqual(attempts(), 3)
        }
      }))

    it.effect("resetsAt further away than maxWait (default 5 minutes): fails at once with the error", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const error = rejected({ status: "rejected", resetsAt: now / 1000 + 6 * 60 })
        const first = flaky(1, error)
        const exit = yield* Effect.exit(first.effect.pipe(ClaudeCode.retryRateLimited(Schedule.forever)))
        assert.deepStrictEqual(exit, Exit.fail(error))
        assert.strictEqual(first.attempts(), 1)

        // A larger maxWait waits for it.
        const second = flaky(1, error)
        const fiber = yield* Effect.fork(
          second.effect.pipe(ClaudeCode.retryRateLimited(Schedule.forever, { maxWait: "10 minutes" }))
        )
        yield* TestClock.adjust("6 minutes")
        assert.strictEqual(yield* Fiber.join(fiber), "ok")
        assert.strictEqual(second.attempts(), 2)
      }))

    it.effect("stream: events of a new attempt do not reset the schedule (unlike Stream.retry)", () =>
      Effect.gen(function*() {
        let attempts = 0
        const attempt = Stream.suspend(() => {
          attempts++
          return Stream.concat(Stream.make(attempts), Stream.fail(rejected()))
        })
        const fiber = yield* Effect.fork(
          attempt.pipe(
            ClaudeCode.retryRateLimitedStream(Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))),
            Stream.runCollect
          )
        )
        yield* TestClock.adjust("10 seconds")
        const exit = yield* Fiber.await(fiber)
        assert.deepStrictEqual(exit, Exit.fail(rejected()))
        assert.strictEqual(attempts, 3)
      }))

    it.effect("data-first form; non-rate-limit errors pass through untouched", () =>
      Effect.gen(function*() {
        const other = new ClaudeError.InvalidOptions({ option: "maxTurns", problem: "must be positive" })
        let attempts = 0
        const exit = yield* Effect.exit(
          ClaudeCode.retryRateLimited(Effect.suspend(() => (attempts++, Effect.fail(other))), Schedule.forever)
        )
        assert.deepStrictEqual(exit, Exit.fail(other))
        assert.strictEqual(attempts, 1)
      }))
  })
})
