/**
 * `ClaudeCode.stream` / `ClaudeCode.run` against the project's fake CLI
 * (`test/fake-claude/fake-claude.mjs`), for what the real CLI cannot be made to do on demand:
 * recorded transcripts replayed with their exit codes, crashes, hangs, ignored signals, silence,
 * huge lines, spawn failures, and the exact argv and environment the CLI receives.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import { assertTag, fakeClaude, forkUntil, isTag, quickShutdown, transports } from "./utils/claudeTest.js"
import { fixturesDir, ndjsonFixtures } from "./utils/fixtures.js"
import { assertGone, cliChildren, exists } from "./utils/processes.js"

/** The fake's session id when none is passed (see fake-claude.mjs). */
const FAKE_SESSION = "00000000-0000-4000-8000-000000000001"

/** A fresh working directory and options that run the fake in `mode` over `transport`. */
const fake = (transport: ClaudeCode.Transport, mode: string, env: Record<string, string> = {}) =>
  Effect.map(ClaudeEnv.tempDirectory("claude-fake-"), (cwd) => {
    const options: ClaudeCode.Options = {
      executable: fakeClaude,
      cwd,
      transport,
      env: { FAKE_CLAUDE_MODE: mode, FAKE_CLAUDE_PID_FILE: Path.join(cwd, "pid"), ...env },
      shutdown: quickShutdown
    }
    return {
      cwd,
      options,
      /** The fake's pid, written first thing at its start. */
      pid: () => Number(Fs.readFileSync(Path.join(cwd, "pid"), "utf8")),
      file: (name: string) => Path.join(cwd, name)
    }
  })

/** The decoded lines of a transcript up to and including its first `result` (where a run ends). */
const firstTurn = (lines: ReadonlyArray<string>): ReadonlyArray<ClaudeEvent.ClaudeEvent> => {
  const events: Array<ClaudeEvent.ClaudeEvent> = []
  for (const [i, line] of lines.entries()) {
    const decoded = ClaudeEvent.decodeLine(line, i + 1)
    if (Either.isLeft(decoded)) throw decoded.left
    if (decoded.right._tag === "Diagnostic") continue
    events.push(decoded.right)
    if (decoded.right._tag === "Result") break
  }
  return events
}

/** How a run of each recorded transcript ends (API errors end with subtype "success" but is_error). */
const outcomes: Record<string, "success" | "ClaudeFailure"> = {
  a_plain: "success",
  b_partial: "success",
  c_tool_default: "success",
  c_tool_denied: "success",
  d_resume: "success",
  d_resume_bad: "ClaudeFailure",
  e_529_noretry: "ClaudeFailure",
  // Two turns of streamed input: a run ends at the first result.
  g_streamjson_two: "success",
  h_max_turns: "ClaudeFailure",
  kill_SIGINT: "ClaudeFailure"
}

describe("fixture replay", () => {
  const fixtures = ndjsonFixtures()

  it("every recorded transcript is here", () => {
    assert.deepStrictEqual(fixtures.map((fixture) => fixture.name), Object.keys(outcomes))
  })

  describe.concurrent.each(transports)("over %s", (transport) => {
    for (const fixture of fixtures) {
      it.scopedLive(`${fixture.name} (exit ${fixture.exitCode ?? 0}): the events and the result equal the transcript's fold`, () =>
        Effect.gen(function*() {
          const expectedEvents = firstTurn(fixture.lines)
          const expected = yield* ClaudeResult.fold(Stream.fromIterable(expectedEvents))
          assert.isTrue(expected.hasResult)
          const { options } = yield* fake(transport, "fixture", {
            FAKE_CLAUDE_FIXTURE: Path.join(fixturesDir, `${fixture.name}.ndjson`),
            FAKE_CLAUDE_EXIT: String(fixture.exitCode ?? 0)
          })

          const streamed = Chunk.toReadonlyArray(
            yield* Stream.runCollect(ClaudeCode.stream("replay", options).pipe(Stream.either))
          )
          const events = streamed.flatMap((item) => Either.isRight(item) ? [item.right] : [])
          assert.deepStrictEqual(events, expectedEvents)

          assert.strictEqual(ClaudeResult.isFailure(expected), outcomes[fixture.name] === "ClaudeFailure")
          if (outcomes[fixture.name] === "ClaudeFailure") {
            const last = streamed.at(-1)!
            assert.isTrue(Either.isLeft(last) && last.left._tag === "ClaudeFailure")
            const error = assertTag(yield* Effect.flip(ClaudeCode.run("replay", options)), "ClaudeFailure")
            assert.deepStrictEqual(error.result, expected)
            assert.strictEqual(error.subtype, expected.subtype)
            assert.strictEqual(error.terminalReason, expected.terminalReason)
            assert.strictEqual(error.apiErrorStatus, expected.apiErrorStatus)
            assert.deepStrictEqual(error.errors, expected.errors)
          } else {
            assert.strictEqual(streamed.length, events.length)
            assert.deepStrictEqual(yield* ClaudeCode.run("replay", options), expected)
          }
        }))
    }
  })
})

describe.concurrent.each(transports)("faults over %s", (transport) => {
  it.scopedLive("a crash in the middle of a line: ProcessError with SIGSEGV, the events before it, the cut line", () =>
    Effect.gen(function*() {
      const { options } = yield* fake(transport, "crash-mid-line")
      const streamed = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeCode.stream("crash", options).pipe(Stream.either))
      )

      assert.strictEqual(streamed.length, 2)
      const [init, end] = streamed
      assert(init !== undefined && Either.isRight(init))
      assert.strictEqual(init.right._tag, "SystemInit")
      assert(end !== undefined && Either.isLeft(end))
      const error = assertTag(end.left, "ProcessError")
      assert.strictEqual(error.signal, "SIGSEGV")
      assert.strictEqual(error.exitCode, null)
      assert.strictEqual(error.partial?.sessionId, FAKE_SESSION)
      assert.isTrue(
        error.diagnostics.some((line) => line.startsWith("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_cut\"")),
        JSON.stringify(error.diagnostics)
      )
      assert.include(error.message, "was killed by SIGSEGV")
    }))

  it.scopedLive("an exit without a result: ProcessError with the exit code and the stderr line", () =>
    Effect.gen(function*() {
      const { options } = yield* fake(transport, "exit-no-result")
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("fail", options)), "ProcessError")

      assert.strictEqual(error.exitCode, 3)
      assert.strictEqual(error.signal, null)
      // Over a pipe the line comes from stderr, on a terminal it is merged into the output.
      assert.include(error.diagnostics, "fatal: something went wrong in the fake")
      assert.strictEqual(error.partial?.sessionId, FAKE_SESSION)
      assert.include(error.message, "exited with code 3")
    }))

  it.scopedLive("stream emits every event the CLI wrote before it fails", () =>
    Effect.gen(function*() {
      const { options } = yield* fake(transport, "exit-no-result")
      const streamed = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeCode.stream("fail", options).pipe(Stream.either))
      )
      assert.deepStrictEqual(streamed.map((item) => Either.isRight(item) ? item.right._tag : item.left._tag), [
        "SystemInit",
        "ProcessError"
      ])
    }))

  it.scopedLive("a result and then no exit: the run succeeds and the process is stopped", () =>
    Effect.gen(function*() {
      const { cwd, options, pid } = yield* fake(transport, "result-then-hang")
      const result = yield* ClaudeCode.run("done?", options)

      assert.strictEqual(result.text, "done")
      assert.isTrue(ClaudeResult.isSuccess(result))
      yield* assertGone(pid())
      assert.deepStrictEqual(cliChildren(fakeClaude, cwd), [])
    }))

  it.scopedLive("a CLI that ignores SIGINT, SIGTERM and SIGHUP is killed when its consumer is interrupted", () =>
    Effect.gen(function*() {
      const { options, pid } = yield* fake(transport, "ignore-signals")
      const run = yield* forkUntil(ClaudeCode.stream("stubborn", options), isTag("SystemInit"))
      yield* Deferred.await(run.first)
      const stubborn = pid()
      assert.isTrue(exists(stubborn))

      const exit = yield* Fiber.interrupt(run.fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* assertGone(stubborn)
    }))

  it.scopedLive("an interrupted consumer leaves stdout open: the CLI writes its last lines and exits", () =>
    Effect.gen(function*() {
      const { file, options, pid } = yield* fake(transport, "sigint-report")
      const report = file("report")
      const run = yield* forkUntil(
        ClaudeCode.stream("interrupt me", {
          ...options,
          env: { ...options.env, FAKE_CLAUDE_REPORT_FILE: report },
          // Far longer than the test: only SIGINT, at once, can end this run in time.
          shutdown: { ...quickShutdown, gracePeriod: "10 minutes" }
        }),
        isTag("Assistant")
      )
      yield* Deferred.await(run.first)
      const child = pid()

      yield* Fiber.interrupt(run.fiber)
      yield* assertGone(child)
      assert.strictEqual(Fs.readFileSync(report, "utf8"), "ok")
    }))

  it.scopedLive("an explicit cancel of a CLI that ignores SIGINT: Cancelled once SIGKILL has ended it", () =>
    Effect.gen(function*() {
      const { options, pid } = yield* fake(transport, "ignore-signals")
      const cancel = yield* Deferred.make<void>()
      const run = yield* forkUntil(ClaudeCode.stream("stubborn", { ...options, cancel }), isTag("SystemInit"))
      yield* Deferred.await(run.first)
      const stubborn = pid()

      yield* Deferred.succeed(cancel, void 0)
      const error = assertTag(yield* Effect.flip(Fiber.join(run.fiber)), "Cancelled")
      assert.strictEqual(error.partial.sessionId, FAKE_SESSION)
      yield* assertGone(stubborn)
    }))

  it.scopedLive("a cancel that fired before the run: Cancelled, and nothing is started", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "echo")
      const controller = new AbortController()
      controller.abort()
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("too late", { ...options, cancel: controller.signal })),
        "Cancelled"
      )

      assert.strictEqual(error.reason, "cancelled before the CLI was started")
      assert.isUndefined(error.partial.sessionId)
      assert.isFalse(Fs.existsSync(file("pid")))
    }))

  it.scopedLive("a line of a known type with the wrong shape: the events before it, then DecodeError", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "fixture")
      const transcript = ndjsonFixtures().find((fixture) => fixture.name === "a_plain")!.lines
      const broken = "{\"type\":\"result\",\"subtype\":\"success\",\"session_id\":42}"
      Fs.writeFileSync(file("broken.ndjson"), [transcript[0], transcript[1], broken, transcript[2]].join("\n") + "\n")
      const streamed = Chunk.toReadonlyArray(
        yield* Stream.runCollect(
          ClaudeCode.stream("replay", {
            ...options,
            env: { ...options.env, FAKE_CLAUDE_FIXTURE: file("broken.ndjson") }
          })
            .pipe(Stream.either)
        )
      )

      assert.deepStrictEqual(streamed.map((item) => Either.isRight(item) ? item.right._tag : item.left._tag), [
        "SystemInit",
        "Assistant",
        "DecodeError"
      ])
      const last = streamed[2]!
      assert(Either.isLeft(last))
      const error = assertTag(last.left, "DecodeError")
      assert.strictEqual(error.lineNumber, 3)
      assert.strictEqual(error.line, broken)
    }))

  it.scopedLive("silence: IdleTimeout after idleTimeout, and the process is stopped", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* fake(transport, "silent")
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("anyone?", { ...options, idleTimeout: "500 millis" })),
        "IdleTimeout"
      )

      assert.isTrue(Duration.equals(error.timeout, Duration.millis(500)))
      assert.isFalse(error.partial.hasResult)
      assert.include(error.message, "wrote nothing for 500")
      assert.deepStrictEqual(cliChildren(fakeClaude, cwd), [])
    }))

  it.scopedLive("an option the CLI does not know: ProcessError whose diagnostics say \"unknown option\"", () =>
    Effect.gen(function*() {
      const { options } = yield* fake(transport, "unknown-option")
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("hello", { ...options, extraArgs: ["--bogus-flag"] })),
        "ProcessError"
      )

      assert.strictEqual(error.exitCode, 1)
      assert.deepStrictEqual(error.diagnostics, ["error: unknown option '--bogus-flag'"])
      assert.include(error.message, "options this CLI version does not know are refused")
    }))

  it.scopedLive(
    "20,000 deltas written as fast as the output takes them: each once, in order",
    () =>
      Effect.gen(function*() {
        // ~5 MB: on a terminal the runner reads ahead while it decodes (a terminal holds ~16 KiB)
        const count = 20_000
        const expected = Array.from({ length: count }, (_, i) => `${i},`).join("")
        const { options } = yield* fake(transport, "deltas", { FAKE_CLAUDE_SIZE: String(count) })

        const events = Chunk.toReadonlyArray(yield* Stream.runCollect(ClaudeCode.stream("count", options)))
        const deltas = events.flatMap((event) => {
          const text = ClaudeEvent.textDelta(event)
          return text === undefined ? [] : [text]
        })
        assert.strictEqual(deltas.length, count)
        assert.strictEqual(deltas.join(""), expected)
        assert.strictEqual(events.length, count + 3)

        const result = yield* ClaudeCode.run("count", options)
        assert.strictEqual(result.text, expected)
        assert.strictEqual(result.eventCount, count + 3)
      }),
    60_000
  )

  it.scopedLive("a 50 MB line arrives whole", () =>
    Effect.gen(function*() {
      const size = 50 * 1024 * 1024
      const { options } = yield* fake(transport, "big-line", { FAKE_CLAUDE_SIZE: String(size) })
      const result = yield* ClaudeCode.run("big", options)

      assert.strictEqual(result.text.length, size)
      assert.isTrue(/^x+$/.test(result.text))
    }), 120_000)

  it.scopedLive("a missing executable: SpawnError NotFound", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* fake(transport, "echo")
      const executable = Path.join(cwd, "no-such-claude")
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("hello", { ...options, executable })), "SpawnError")

      assert.strictEqual(error.reason, "NotFound")
      assert.strictEqual(error.executable, executable)
      assert.include(error.message, "was not found")
    }))

  it.scopedLive("a directory as executable: SpawnError NotExecutable", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* fake(transport, "echo")
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("hello", { ...options, executable: cwd })),
        "SpawnError"
      )

      assert.strictEqual(error.reason, "NotExecutable")
      assert.strictEqual(error.executable, cwd)
      assert.include(error.message, "could not be executed")
    }))

  it.scopedLive("options of the wrong type (untyped callers): InvalidOptions naming the option, nothing started", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "echo")
      // each used to be a defect (a TypeError, or a ParseError from building the error), an
      // argument the CLI misread, or for `transport` the other transport
      const cases: ReadonlyArray<readonly [unknown, Record<string, unknown> | string, string, string]> = [
        [undefined, {}, "prompt", "must be a string, got undefined"],
        [42, {}, "prompt", "must be a string, got number 42"],
        ["hi", { executable: 42 }, "executable", "must be a string, got number 42"],
        ["hi", { cwd: ["/tmp"] }, "cwd", "must be a string, got an array"],
        ["hi", { env: { A: 1 } }, "env", "A must be a string or undefined, got number 1"],
        ["hi", { transport: "ssh" }, "transport", "must be one of pty, pipe, got \"ssh\""],
        ["hi", { allowedTools: "Read" }, "allowedTools", "must be an array of strings, got \"Read\""],
        ["hi", { includePartialMessages: "yes" }, "includePartialMessages", "must be a boolean, got \"yes\""],
        ["hi", { idleTimeout: "soon" }, "idleTimeout", "must be a Duration input, got \"soon\""],
        ["hi", { cancel: true }, "cancel", "must be a Deferred or an AbortSignal, got boolean true"],
        ["hi", "pipe", "options", "must be an object, got string"]
      ]
      for (const [prompt, given, option, problem] of cases) {
        const merged = typeof given === "string" ? given : { ...options, ...given }
        const run = ClaudeCode.run(prompt as string, merged as ClaudeCode.Options)
        const error = assertTag(yield* Effect.flip(run), "InvalidOptions")
        assert.strictEqual(error.option, option)
        assert.strictEqual(error.problem, problem)
        const streamed = Stream.runDrain(ClaudeCode.stream(prompt as string, merged as ClaudeCode.Options))
        const streamError = assertTag(yield* Effect.flip(streamed), "InvalidOptions")
        assert.deepStrictEqual([streamError.option, streamError.problem], [option, problem])
      }
      // the fake writes its pid first thing: it was never started
      assert.isFalse(Fs.existsSync(file("pid")))
      // null options are no options: the service's defaults
      assert.deepStrictEqual(ClaudeCode.mergeOptions(options, null as unknown as ClaudeCode.Options), options)
    }))

  it.scopedLive("a missing working directory: SpawnError CwdMissing", () =>
    Effect.gen(function*() {
      const { cwd, options } = yield* fake(transport, "echo")
      const missing = Path.join(cwd, "gone")
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("hello", { ...options, cwd: missing })),
        "SpawnError"
      )

      assert.strictEqual(error.reason, "CwdMissing")
      assert.strictEqual(error.cwd, missing)
      assert.include(error.message, "does not exist")
    }))
})

/** The file descriptors this process has open. */
const openFds = (): ReadonlyArray<string> => Fs.readdirSync("/proc/self/fd").sort()

// Not concurrent: they count this process's file descriptors, or change process.env, which every
// child spawned meanwhile would inherit.
describe.each(transports)("what the CLI receives and leaves over %s", (transport) => {
  it.scopedLive("no file descriptor is left behind by runs that succeed, fail, are interrupted or never start", () =>
    Effect.gen(function*() {
      const runs = Effect.gen(function*() {
        const ok = yield* fake(transport, "echo")
        assert.strictEqual((yield* ClaudeCode.run("hello", ok.options)).text, "hello")
        const failing = yield* fake(transport, "exit-no-result")
        assertTag(yield* Effect.flip(ClaudeCode.run("hello", failing.options)), "ProcessError")
        const waiting = yield* fake(transport, "wait-for-sigint")
        const run = yield* forkUntil(ClaudeCode.stream("hello", waiting.options), isTag("Assistant"))
        yield* Deferred.await(run.first)
        yield* Fiber.interrupt(run.fiber)
        yield* assertGone(waiting.pid())
        const big = yield* fake(transport, "echo")
        assert.strictEqual((yield* ClaudeCode.run("-".repeat(200_000), big.options)).text.length, 200_000)
        assertTag(yield* Effect.flip(ClaudeCode.run("hello", { ...ok.options, cwd: ok.file("missing") })), "SpawnError")
      }).pipe(Effect.scoped)
      // A first round opens what Node keeps for good (signal pipes, the executor's resources).
      yield* runs
      const before = openFds()
      for (let i = 0; i < 3; i++) yield* runs
      assert.deepStrictEqual(openFds(), before)
    }))

  it.scopedLive("the argv: every flag before \"--\", the prompt after it; CLAUDECODE never reaches the CLI", () =>
    Effect.gen(function*() {
      const { file, options } = yield* fake(transport, "echo")
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const saved = { CLAUDECODE: process.env.CLAUDECODE, FAKE_DROP_ME: process.env.FAKE_DROP_ME }
          process.env.CLAUDECODE = "1"
          process.env.FAKE_DROP_ME = "inherited"
          return saved
        }),
        (saved) =>
          Effect.sync(() => {
            for (const [name, value] of Object.entries(saved)) {
              if (value === undefined) delete process.env[name]
              else process.env[name] = value
            }
          })
      )
      const prompt = "-p --model evil -- and a \"quoted\"\nsecond line"
      const resume = "11111111-2222-4333-8444-555555555555"
      const settings = JSON.stringify({ permissions: { allow: ["Read"] } })
      const result = yield* ClaudeCode.run(prompt, {
        ...options,
        env: {
          ...options.env,
          FAKE_CLAUDE_ARGV_FILE: file("argv.json"),
          FAKE_CLAUDE_ENV_FILE: file("env.json"),
          FAKE_DROP_ME: undefined,
          FAKE_ADDED: "added"
        },
        includePartialMessages: true,
        model: "claude-test-model",
        fallbackModel: "claude-fallback",
        resume,
        forkSession: true,
        maxTurns: 3,
        maxBudgetUsd: 1.5,
        permissionMode: "acceptEdits",
        allowedTools: ["Bash(git log:*)", "Read"],
        disallowedTools: ["Write"],
        systemPrompt: "You are a test.",
        appendSystemPrompt: "Be brief.",
        addDirs: ["/tmp/a", "/tmp/b c"],
        mcpConfig: ["{\"mcpServers\":{}}"],
        strictMcpConfig: true,
        settings,
        extraArgs: ["--debug-file", "/tmp/debug.log"]
      })

      assert.strictEqual(result.text, prompt)
      assert.deepStrictEqual(JSON.parse(Fs.readFileSync(file("argv.json"), "utf8")), [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--include-partial-messages",
        "--model",
        "claude-test-model",
        "--fallback-model",
        "claude-fallback",
        "--resume",
        resume,
        "--fork-session",
        "--max-turns",
        "3",
        "--max-budget-usd",
        "1.5",
        "--permission-mode",
        "acceptEdits",
        "--allowedTools",
        "Bash(git log:*)",
        "Read",
        "--disallowedTools",
        "Write",
        "--system-prompt",
        "You are a test.",
        "--append-system-prompt",
        "Be brief.",
        "--add-dir",
        "/tmp/a",
        "/tmp/b c",
        "--mcp-config",
        "{\"mcpServers\":{}}",
        "--strict-mcp-config",
        "--settings",
        settings,
        "--debug-file",
        "/tmp/debug.log",
        "--",
        prompt
      ])
      const env = JSON.parse(Fs.readFileSync(file("env.json"), "utf8")) as Record<string, string>
      assert.notProperty(env, "CLAUDECODE")
      assert.notProperty(env, "FAKE_DROP_ME")
      assert.strictEqual(env.FAKE_ADDED, "added")
      assert.strictEqual(env.NO_COLOR, "1")
      assert.strictEqual(env.PATH, process.env.PATH)
    }))
})
