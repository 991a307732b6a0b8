/**
 * The real `claude` CLI (the pinned @anthropic-ai/claude-code binary) driven through
 * `ClaudeCode.stream` / `ClaudeCode.run` against the loopback model server, on both transports.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as ClaudeCode from "../src/ClaudeCode.js"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import * as ModelServer from "../src/ModelServer.js"
import { assertTag, forkUntil, isTag, realCli, transports } from "./utils/claudeTest.js"
import { assertGone, cliChildren, cliPid } from "./utils/processes.js"

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The `x-claude-code-session-id` header of a model request: the session id the CLI runs under. */
const sessionHeader = (request: ModelServer.MessagesRequest) => request.recorded.headers["x-claude-code-session-id"]

/** Every text block of a request's messages, in order, whatever the role. */
const allTexts = (request: ModelServer.MessagesRequest): ReadonlyArray<string> =>
  request.messages.flatMap((message) =>
    typeof message.content === "string"
      ? [message.content]
      : message.content.flatMap((block) => block.type === "text" ? [String(block.text)] : [])
  )

/**
 * A prompt of `bytes` UTF-8 bytes or a little more: leading "-", newlines, U+2028 / U+2029,
 * multi-byte characters from every UTF-8 length, quotes and backslashes (JSON escapes), tabs.
 */
const bigPrompt = (bytes: number): string => {
  const pieces = [
    "line one \"quoted\" \\ backslash\n",
    "Grüße, naïve café — ½ € ∑ ≠ ∞\n",
    "日本語のテキスト、中文文本。\u2028after LINE SEPARATOR\u2029after PARAGRAPH SEPARATOR\n",
    "emoji 😀🎉 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \t tab\n",
    "-- not an option -x --help\n"
  ]
  const parts: Array<string> = ["--leading dashes, then mixed text\n"]
  let size = Buffer.byteLength(parts[0]!)
  for (let i = 0; size < bytes; i++) {
    const piece = `${i} ${pieces[i % pieces.length]}`
    parts.push(piece)
    size += Buffer.byteLength(piece)
  }
  parts.push("the end.")
  return parts.join("")
}

/** Fails instead of waiting for the grace period of `patientShutdown` (set by `realCli`). */
const stopsWithinGrace = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  self.pipe(
    Effect.timeout("20 seconds"),
    Effect.catchTag(
      "TimeoutException",
      () => Effect.dieMessage("the CLI was not stopped by SIGINT: the run waited for the grace period")
    )
  )

/** The transcript of a saved session (`$HOME/.claude/projects/<cwd with "/" as "-">/<id>.jsonl`). */
const transcript = (home: string, cwd: string, sessionId: string): string =>
  Fs.readFileSync(Path.join(home, ".claude", "projects", cwd.replace(/\//g, "-"), `${sessionId}.jsonl`), "utf8")

describe.concurrent.each(transports)("ClaudeCode with the real CLI over %s", (transport) => {
  it.scopedLive("a text reply: exact text, session id, model, cost, usage, turns", () =>
    Effect.gen(function*() {
      const reply = "Hello from the test server: 1 + 1 = 2."
      const { options, server } = yield* realCli(transport, {
        script: () => ModelServer.text(reply, { usage: { inputTokens: 120, outputTokens: 9 } })
      })
      const result = yield* ClaudeCode.run("say hello", { ...options, model: "claude-test-model" })

      const [request, ...more] = yield* server.messages
      assert.strictEqual(more.length, 0)
      assert.strictEqual(request!.text, "say hello")
      assert.strictEqual(request!.model, "claude-test-model")
      assert.strictEqual(result.text, reply)
      assert.match(result.sessionId ?? "", uuid)
      assert.strictEqual(result.sessionId, sessionHeader(request!))
      assert.strictEqual(result.model, "claude-test-model")
      assert.isAbove(result.costUsd, 0)
      assert.deepStrictEqual(result.usage, {
        inputTokens: 120,
        outputTokens: 9,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0
      })
      assert.strictEqual(result.numTurns, 1)
      assert.strictEqual(result.isError, false)
      assert.strictEqual(result.hasResult, true)
      assert.strictEqual(result.subtype, "success")
      assert.strictEqual(result.terminalReason, "completed")
      assert.strictEqual(result.stopReason, "end_turn")
      assert.deepStrictEqual(result.toolCalls, [])
      assert.deepStrictEqual(result.permissionDenials, [])
      assert.isTrue(ClaudeResult.isSuccess(result))
    }))

  it.scopedLive("partial messages: StreamEvents carry the text once; the fold equals the result text", () =>
    Effect.gen(function*() {
      const reply = "Streaming in small pieces, so that there are many text deltas to fold."
      const { options } = yield* realCli(transport, { script: () => ModelServer.text(reply, { chunkSize: 5 }) })
      const events = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeCode.stream("stream it", { ...options, includePartialMessages: true }))
      )

      const tags = events.map((event) => event._tag)
      assert.strictEqual(tags[0], "SystemInit")
      assert.strictEqual(tags.at(-1), "Result")
      const deltas = events.flatMap((event) =>
        event._tag === "StreamEvent" && event.event.type === "content_block_delta" &&
          event.event.delta.type === "text_delta"
          ? [event.event.delta.text]
          : []
      )
      assert.strictEqual(deltas.length, Math.ceil(reply.length / 5))
      assert.strictEqual(deltas.join(""), reply)
      // The complete assistant line repeats the streamed text: a fold must not count it twice.
      const assistantTexts = events.flatMap((event) =>
        event._tag === "Assistant" ? event.message.content.flatMap((b) => b.type === "text" ? [b.text] : []) : []
      )
      assert.deepStrictEqual(assistantTexts, [reply])
      const resultEvent = events.at(-1) as ClaudeEvent.Result
      assert.strictEqual(resultEvent.result, reply)

      // Folding without the final result line shows what a live display would show: the text once.
      const beforeResult = yield* ClaudeResult.fold(Stream.fromIterable(events.slice(0, -1)))
      assert.strictEqual(beforeResult.text, reply)
      const folded = yield* ClaudeResult.fold(Stream.fromIterable(events))
      assert.strictEqual(folded.text, reply)
      assert.strictEqual(folded.eventCount, events.length)
      assert.strictEqual(folded.sessionId, resultEvent.session_id)
    }))

  it.scopedLive("a Bash tool round trip: the tool call, its result, and the tool_result sent back", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, {
        script: (request) =>
          request.toolResults.length === 0
            ? ModelServer.toolUse("Bash", { command: "echo hello" }, { id: "toolu_test_echo", text: "Running it." })
            : ModelServer.text(`The tool said: ${request.toolResults[0]!.content}`)
      })
      const result = yield* ClaudeCode.run("run echo hello", { ...options, allowedTools: ["Bash"] })

      assert.strictEqual(result.toolCalls.length, 1)
      const call = result.toolCalls[0]!
      assert.strictEqual(call.id, "toolu_test_echo")
      assert.strictEqual(call.name, "Bash")
      assert.deepStrictEqual(call.input, { command: "echo hello" })
      assert.strictEqual(call.parentToolUseId, null)
      assert.isDefined(call.result)
      assert.strictEqual(call.result!.isError, false)
      assert.include(JSON.stringify(call.result!.content), "hello")
      assert.strictEqual(result.text, "The tool said: hello")
      assert.strictEqual(result.numTurns, 2)
      assert.deepStrictEqual(result.permissionDenials, [])

      const requests = yield* server.messages
      assert.strictEqual(requests.length, 2)
      assert.deepStrictEqual(requests[1]!.toolResults, [{
        toolUseId: "toolu_test_echo",
        content: "hello",
        isError: false
      }])
    }))

  it.scopedLive("a tool the permissions do not allow is denied and reported in permissionDenials", () =>
    Effect.gen(function*() {
      const { cwd, options, server } = yield* realCli(transport, {
        script: (request) =>
          request.toolResults.length === 0
            ? ModelServer.toolUse("Bash", { command: "touch created_by_tool.txt" }, { id: "toolu_test_touch" })
            : ModelServer.text("I was not allowed to.")
      })
      const result = yield* ClaudeCode.run("create a file", options)

      assert.strictEqual(result.text, "I was not allowed to.")
      assert.strictEqual(result.permissionDenials.length, 1)
      const denial = result.permissionDenials[0]!
      assert.strictEqual(denial.toolName, "Bash")
      assert.strictEqual(denial.toolUseId, "toolu_test_touch")
      assert.deepStrictEqual(denial.toolInput, { command: "touch created_by_tool.txt" })
      assert.isFalse(Fs.existsSync(Path.join(cwd, "created_by_tool.txt")))
      const requests = yield* server.messages
      assert.strictEqual(requests.length, 2)
      assert.strictEqual(requests[1]!.toolResults[0]!.toolUseId, "toolu_test_touch")
      assert.strictEqual(requests[1]!.toolResults[0]!.isError, true)
      assert.isTrue(ClaudeResult.isSuccess(result))
    }))

  it.scopedLive("resume continues the session: the next request carries the first turn", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, {
        script: (request) => ModelServer.text(`Answer number ${request.index + 1}.`)
      })
      const first = yield* ClaudeCode.run("the first question", options)
      assert.strictEqual(first.text, "Answer number 1.")
      const second = yield* ClaudeCode.run("the second question", { ...options, resume: first.sessionId! })

      assert.strictEqual(second.text, "Answer number 2.")
      assert.strictEqual(second.sessionId, first.sessionId)
      const requests = yield* server.messages
      assert.strictEqual(requests.length, 2)
      assert.strictEqual(requests[1]!.text, "the second question")
      const texts = allTexts(requests[1]!)
      const firstQuestion = texts.indexOf("the first question")
      const firstAnswer = texts.indexOf("Answer number 1.")
      const secondQuestion = texts.indexOf("the second question")
      assert.isAtLeast(firstQuestion, 0, JSON.stringify(texts))
      assert.isAbove(firstAnswer, firstQuestion)
      assert.isAbove(secondQuestion, firstAnswer)
      assert.strictEqual(sessionHeader(requests[1]!), first.sessionId)
    }))

  it.scopedLive("an API error (529) fails with ClaudeFailure carrying the status and the result", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, { script: () => ModelServer.httpError(529) })
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("hello?", options)), "ClaudeFailure")

      assert.strictEqual(error.apiErrorStatus, 529)
      assert.strictEqual(error.terminalReason, "api_error")
      assert.strictEqual(error.result.apiErrorStatus, 529)
      assert.strictEqual(error.result.isError, true)
      assert.strictEqual(error.result.hasResult, true)
      assert.include(error.result.text, "529")
      assert.strictEqual(error.result.sessionId, sessionHeader((yield* server.messages)[0]!))
      assert.include(error.message, "overloaded")
    }))

  it.scopedLive("maxTurns: 1 with a tool call fails with ClaudeFailure error_max_turns", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, {
        script: (request) =>
          request.toolResults.length === 0
            ? ModelServer.toolUse("Bash", { command: "echo hello" })
            : ModelServer.text("never asked")
      })
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("run it", { ...options, maxTurns: 1, allowedTools: ["Bash"] })),
        "ClaudeFailure"
      )

      assert.strictEqual(error.subtype, "error_max_turns")
      assert.strictEqual(error.terminalReason, "max_turns")
      assert.deepStrictEqual(error.errors, ["Reached maximum number of turns (1)"])
      assert.strictEqual(error.result.toolCalls.length, 1)
      assert.include(JSON.stringify(error.result.toolCalls[0]!.result?.content), "hello")
      assert.strictEqual((yield* server.messages).length, 1)
    }))

  it.scopedLive("a prompt that starts with \"--\" reaches the model unchanged", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, { script: () => ModelServer.text("ok") })
      const result = yield* ClaudeCode.run("--help me", options)

      assert.strictEqual(result.text, "ok")
      const [request] = yield* server.messages
      assert.strictEqual(request!.text, "--help me")
    }))

  it.scopedLive("a 10 MB prompt (via stdin) reaches the model byte for byte", () =>
    Effect.gen(function*() {
      const prompt = bigPrompt(10 * 1024 * 1024)
      assert.isTrue(prompt.startsWith("-") && prompt.includes("\u2028") && prompt.includes("\n"))
      const { options, server } = yield* realCli(transport, { script: () => ModelServer.text("received") })
      // ~3.5M tokens: over the model's context window, which the CLI checks before sending.
      const env = { ...options.env, CLAUDE_CODE_BLOCKING_LIMIT_OVERRIDE: "100000000" }
      const result = yield* ClaudeCode.run(prompt, { ...options, env })

      assert.strictEqual(result.text, "received")
      const [request] = yield* server.messages
      const text = request!.text
      assert.strictEqual(text.length, prompt.length)
      assert.isTrue(Buffer.from(text, "utf8").equals(Buffer.from(prompt, "utf8")), "the prompt arrived changed")
    }), 120_000)

  it.scopedLive("resuming an unknown session id fails with ClaudeFailure \"No conversation found\"", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport)
      const id = randomUUID()
      const error = assertTag(yield* Effect.flip(ClaudeCode.run("hello", { ...options, resume: id })), "ClaudeFailure")

      assert.strictEqual(error.subtype, "error_during_execution")
      assert.deepStrictEqual(error.errors, [`No conversation found with session ID: ${id}`])
      assert.strictEqual(error.result.sessionId, id)
      assert.include(error.message, "not found")
      assert.deepStrictEqual(yield* server.messages, [])
    }))

  it.scopedLive("a chosen sessionId is used; choosing it again fails with ProcessError \"already in use\"", () =>
    Effect.gen(function*() {
      const { options, server } = yield* realCli(transport, { script: () => ModelServer.text("first") })
      const id = randomUUID()
      const result = yield* ClaudeCode.run("hello", { ...options, sessionId: id })
      assert.strictEqual(result.sessionId, id)
      assert.strictEqual(sessionHeader((yield* server.messages)[0]!), id)

      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("again", { ...options, sessionId: id })),
        "ProcessError"
      )
      assert.strictEqual(error.exitCode, 1)
      assert.strictEqual(error.signal, null)
      assert.isTrue(
        error.diagnostics.some((line) => line.includes(`Session ID ${id} is already in use`)),
        JSON.stringify(error.diagnostics)
      )
      assert.include(error.message, "already taken")
      assert.strictEqual((yield* server.messages).length, 1)
    }))

  it.scopedLive("an invalid option fails with InvalidOptions before anything is started", () =>
    Effect.gen(function*() {
      const { claude, cwd, options, server } = yield* realCli(transport)
      const error = assertTag(
        yield* Effect.flip(ClaudeCode.run("hello", { ...options, maxTurns: 0 })),
        "InvalidOptions"
      )

      assert.strictEqual(error.option, "maxTurns")
      assert.strictEqual(error.problem, "must be a positive whole number, got 0")
      assert.deepStrictEqual(yield* server.requests, [])
      assert.deepStrictEqual(cliChildren(claude.executable, cwd), [])
      // The same options with a sound maxTurns do start the CLI: the refusal came from the check.
      const events = yield* Stream.runCollect(
        ClaudeCode.stream("hello", { ...options, maxTurns: 1 }).pipe(Stream.take(1))
      )
      assert.strictEqual(Chunk.unsafeHead(events)._tag, "SystemInit")
    }))

  it.scopedLive("interrupting the consumer mid-stream stops the CLI with SIGINT: gone, session saved", () =>
    Effect.gen(function*() {
      const { claude, cwd, options, server } = yield* realCli(transport, {
        script: () => ModelServer.slow(ModelServer.text("a".repeat(2000), { chunkSize: 10 }), "50 millis")
      })
      const run = yield* forkUntil(
        ClaudeCode.stream("talk slowly", { ...options, includePartialMessages: true }),
        isTag("StreamEvent")
      )
      yield* Deferred.await(run.first)
      const pid = yield* cliPid(claude.executable, cwd)
      const init = run.seen[0]
      assert(init?._tag === "SystemInit")

      // realCli's grace period is 10 minutes: only a SIGINT sent at once ends this in time.
      const exit = yield* Fiber.interrupt(run.fiber).pipe(stopsWithinGrace)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* assertGone(pid)
      assert.isFalse(run.seen.some((event) => event._tag === "Result"))
      assert.strictEqual((yield* server.messages).length, 1)
      // The session was saved with the interrupted prompt (see the cancel tests on the marker).
      assert.include(transcript(claude.home, cwd, init.session_id), "talk slowly")
    }))

  describe("an explicit cancel stops the turn with SIGINT, fails with Cancelled, and keeps the session", () => {
    const cancelThenResume = (
      makeCancel: () => Effect.Effect<
        { readonly cancel: ClaudeCode.Options["cancel"]; readonly fire: Effect.Effect<void> }
      >
    ) =>
      Effect.gen(function*() {
        const { claude, cwd, options, server } = yield* realCli(transport)
        yield* server.enqueue(ModelServer.hang)
        const { cancel, fire } = yield* makeCancel()
        const fiber = yield* Effect.fork(
          ClaudeCode.run("the question that hangs", { ...options, cancel })
        )
        // The CLI is mid-request once the server has it.
        const [request] = yield* server.awaitMessages(1)
        const pid = yield* cliPid(claude.executable, cwd)
        yield* fire

        // realCli's grace period is 10 minutes: only a SIGINT sent at once ends this in time.
        const error = assertTag(yield* Effect.flip(Fiber.join(fiber).pipe(stopsWithinGrace)), "Cancelled")
        yield* assertGone(pid)
        const sessionId = error.partial.sessionId
        assert.match(sessionId ?? "", uuid)
        assert.strictEqual(sessionId, sessionHeader(request!))
        assert.include(error.message, `Resume session ${sessionId}`)
        // The session was saved with the interrupted question. (The CLI usually also records a
        // "[Request interrupted by user]" marker, and usually writes a result line after SIGINT,
        // but under load it sometimes exits 0 without either: neither is asserted.)
        assert.include(transcript(claude.home, cwd, sessionId!), "the question that hangs")

        const resumed = yield* ClaudeCode.run("the next question", { ...options, resume: sessionId! })
        assert.strictEqual(resumed.sessionId, sessionId)
        assert.strictEqual(resumed.text, "Hello from the loopback model server. You said: the next question")
        const requests = yield* server.messages
        assert.strictEqual(requests.length, 2)
        // The interrupted turn is part of the history.
        const texts = allTexts(requests[1]!)
        const question = texts.findIndex((text) => text.startsWith("the question that hangs"))
        assert.isAtLeast(question, 0, JSON.stringify(texts))
        assert.isAbove(texts.indexOf("the next question"), question, JSON.stringify(texts))
      })

    it.scopedLive("cancel: Deferred", () =>
      cancelThenResume(() =>
        Effect.map(
          Deferred.make<void>(),
          (deferred) => ({ cancel: deferred, fire: Deferred.succeed(deferred, void 0) })
        )
      ))

    it.scopedLive("cancel: AbortSignal", () =>
      cancelThenResume(() =>
        Effect.sync(() => {
          const controller = new AbortController()
          return { cancel: controller.signal, fire: Effect.sync(() => controller.abort()) }
        })
      ))
  })
})
