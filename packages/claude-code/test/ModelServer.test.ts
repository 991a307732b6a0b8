import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import * as ClaudeEnv from "../src/ClaudeEnv.js"
import * as ModelServer from "../src/ModelServer.js"
import { resultLine, runClaude } from "./utils/runClaude.js"

// -----------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------

interface Sse {
  readonly event: string
  readonly data: Record<string, any>
}

/** Splits an SSE body into events; every event must have `event:` and JSON `data:` of the same type. */
const parseSse = (body: string): ReadonlyArray<Sse> =>
  body.split("\n\n").filter((block) => block !== "").map((block) => {
    const lines = block.split("\n")
    assert.strictEqual(lines.length, 2, `event block: ${block}`)
    assert.isTrue(lines[0]!.startsWith("event: "), block)
    assert.isTrue(lines[1]!.startsWith("data: "), block)
    const event = lines[0]!.slice("event: ".length)
    const data = JSON.parse(lines[1]!.slice("data: ".length))
    assert.strictEqual(data.type, event)
    return { event, data }
  })

const post = (url: string, body: unknown, init?: RequestInit) =>
  Effect.promise(() =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
      ...init
    })
  )

const readText = (response: Response) => Effect.promise(() => response.text())

const userTurn = (content: ModelServer.MessageParam["content"]) => ({
  model: "claude-test-model",
  stream: true,
  max_tokens: 1024,
  messages: [{ role: "user", content }]
})

const deltas = (events: ReadonlyArray<Sse>) =>
  events.filter((event) => event.event === "content_block_delta").map((event) => event.data.delta)

/** The events a CLI run forwarded with `--include-partial-messages`. */
const streamEvents = (lines: ReadonlyArray<Record<string, any>>) =>
  lines.filter((line) => line.type === "stream_event").map((line) => line.event)

// -----------------------------------------------------------------------------
// The server over HTTP
// -----------------------------------------------------------------------------

describe("ModelServer over HTTP", () => {
  it.scopedLive("streams a text reply as the exact Messages API event sequence", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({ replies: [ModelServer.text("Hello, loopback!", { chunkSize: 5 })] })
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual(server.url, `http://127.0.0.1:${server.port}`)

      const response = yield* post(`${server.url}/v1/messages?beta=true`, userTurn("hi"))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-type"), "text/event-stream")
      const requestId = response.headers.get("request-id")
      assert.match(requestId ?? "", /^req_loopback_[0-9a-f]{8}_0$/)
      const events = parseSse(yield* readText(response))

      assert.deepStrictEqual(events.map((event) => event.event), [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop"
      ])
      const message = events[0]!.data.message
      assert.match(message.id, /^msg_loopback_[0-9a-f]{8}_0$/)
      assert.deepStrictEqual({ ...message, id: "" }, {
        id: "",
        type: "message",
        role: "assistant",
        model: "claude-test-model",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
      })
      assert.deepStrictEqual(events[2]!.data, {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" }
      })
      assert.deepStrictEqual(deltas(events), [
        { type: "text_delta", text: "Hello" },
        { type: "text_delta", text: ", loo" },
        { type: "text_delta", text: "pback" },
        { type: "text_delta", text: "!" }
      ])
      assert.deepStrictEqual(events.at(-2)!.data, {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 4 }
      })
    }))

  it.scopedLive("streams a tool call as input_json_delta pieces after its text, with stop_reason tool_use", () =>
    Effect.gen(function*() {
      const input = { command: "echo hello", description: "Print hello" }
      const server = yield* ModelServer.make({
        replies: [
          ModelServer.toolUse("Bash", input, {
            text: "Running it.",
            chunkSize: 16,
            usage: { inputTokens: 7, outputTokens: 9 }
          }),
          ModelServer.toolUse("Read", { file_path: "/x" })
        ]
      })
      const events = parseSse(yield* readText(yield* post(`${server.url}/v1/messages`, userTurn("run it"))))

      assert.deepStrictEqual(events.map((event) => [event.event, event.data.index]), [
        ["message_start", undefined],
        ["ping", undefined],
        ["content_block_start", 0],
        ["content_block_delta", 0],
        ["content_block_stop", 0],
        ["content_block_start", 1],
        ["content_block_delta", 1],
        ["content_block_delta", 1],
        ["content_block_delta", 1],
        ["content_block_delta", 1],
        ["content_block_stop", 1],
        ["message_delta", undefined],
        ["message_stop", undefined]
      ])
      assert.strictEqual(events[0]!.data.message.usage.input_tokens, 7)
      const toolStart = events[5]!.data.content_block
      assert.match(toolStart.id, /^toolu_loopback_[0-9a-f]{8}_0_1$/)
      assert.deepStrictEqual({ ...toolStart, id: "" }, { type: "tool_use", id: "", name: "Bash", input: {} })
      const pieces = deltas(events).slice(1)
      assert.isTrue(pieces.every((delta) => delta.type === "input_json_delta"))
      assert.deepStrictEqual(JSON.parse(pieces.map((delta) => delta.partial_json).join("")), input)
      assert.deepStrictEqual(events.at(-2)!.data, {
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 9 }
      })

      // The second request gets another message id, and a tool call without text starts at index 0.
      const second = parseSse(yield* readText(yield* post(`${server.url}/v1/messages`, userTurn("again"))))
      assert.match(second[0]!.data.message.id, /_1$/)
      assert.strictEqual(second[2]!.data.content_block.name, "Read")
      assert.match(second[2]!.data.content_block.id, /_1_0$/)
    }))

  it.scopedLive("streams thinking as thinking_delta events and a signature_delta before the answer", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({
        replies: [ModelServer.thinking("Pondering deeply", "42", { chunkSize: 8, signature: "sig" })]
      })
      const events = parseSse(yield* readText(yield* post(`${server.url}/v1/messages`, userTurn("answer?"))))
      assert.deepStrictEqual(events[2]!.data.content_block, { type: "thinking", thinking: "", signature: "" })
      assert.deepStrictEqual(deltas(events), [
        { type: "thinking_delta", thinking: "Ponderin" },
        { type: "thinking_delta", thinking: "g deeply" },
        { type: "signature_delta", signature: "sig" },
        { type: "text_delta", text: "42" }
      ])
    }))

  it.scopedLive("answers a request without `stream` with one JSON message", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({
        replies: [ModelServer.toolUse("Bash", { command: "ls" }, { id: "toolu_x", text: "Sure" })]
      })
      const response = yield* post(`${server.url}/v1/messages`, { ...userTurn("list"), stream: false })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-type"), "application/json")
      const body = JSON.parse(yield* readText(response))
      assert.deepStrictEqual({ ...body, id: "" }, {
        id: "",
        type: "message",
        role: "assistant",
        model: "claude-test-model",
        content: [{ type: "text", text: "Sure" }, {
          type: "tool_use",
          id: "toolu_x",
          name: "Bash",
          input: { command: "ls" }
        }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
      })
      const [request] = yield* server.messages
      assert.isFalse(request!.stream)
    }))

  it.scopedLive("answers httpError with the status, Anthropic's error body and the given headers", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({
        replies: [
          ModelServer.httpError(429, { message: "Slow down", retryAfter: 3 }),
          ModelServer.httpError(529),
          ModelServer.httpError(418, { type: "teapot_error", message: "short and stout" })
        ]
      })
      const first = yield* post(`${server.url}/v1/messages`, userTurn("a"))
      assert.strictEqual(first.status, 429)
      assert.strictEqual(first.headers.get("retry-after"), "3")
      assert.strictEqual(first.headers.get("content-type"), "application/json")
      assert.deepStrictEqual(JSON.parse(yield* readText(first)), {
        type: "error",
        error: { type: "rate_limit_error", message: "Slow down" },
        request_id: first.headers.get("request-id")
      })
      const second = yield* post(`${server.url}/v1/messages`, userTurn("b"))
      assert.strictEqual(second.status, 529)
      assert.deepStrictEqual(JSON.parse(yield* readText(second)).error, {
        type: "overloaded_error",
        message: "Overloaded"
      })
      const third = yield* post(`${server.url}/v1/messages`, userTurn("c"))
      assert.strictEqual(third.status, 418)
      assert.deepStrictEqual(JSON.parse(yield* readText(third)).error, {
        type: "teapot_error",
        message: "short and stout"
      })
    }))

  it.scopedLive("takes queued replies first, then asks the script with the last user message's text and tool results", () =>
    Effect.gen(function*() {
      const seen: Array<ModelServer.MessagesRequest> = []
      const server = yield* ModelServer.make({
        replies: [ModelServer.text("queued")],
        script: (request) => {
          seen.push(request)
          return Effect.succeed(ModelServer.text(`script #${request.index}`))
        }
      })
      const replyText = (body: unknown) =>
        Effect.map(
          Effect.flatMap(post(`${server.url}/v1/messages?beta=true`, body), readText),
          (text) => deltas(parseSse(text)).map((delta) => delta.text).join("")
        )
      assert.strictEqual(yield* replyText(userTurn("one")), "queued")
      // As the CLI sends it: reminder blocks, the prompt, then a `system` entry after the user turn.
      assert.strictEqual(
        yield* replyText({
          model: "m",
          stream: true,
          messages: [
            { role: "user", content: "older" },
            { role: "assistant", content: [{ type: "text", text: "ok" }] },
            {
              role: "user",
              content: [{ type: "text", text: "<system-reminder>\nignore me\n</system-reminder>\n" }, {
                type: "text",
                text: "two"
              }]
            },
            { role: "system", content: [{ type: "text", text: "# Environment" }] }
          ]
        }),
        "script #1"
      )
      yield* server.enqueue(ModelServer.text("queued again"))
      assert.strictEqual(yield* replyText(userTurn("three")), "queued again")
      assert.strictEqual(
        yield* replyText(userTurn([
          { type: "tool_result", tool_use_id: "toolu_1", content: "hello\n", is_error: false },
          { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "bad" }], is_error: true }
        ])),
        "script #3"
      )
      yield* server.setScript(() => ModelServer.text("replaced"))
      assert.strictEqual(yield* replyText(userTurn("four")), "replaced")

      assert.deepStrictEqual(seen.map((request) => [request.index, request.text]), [[1, "two"], [3, ""]])
      assert.strictEqual(seen[0]!.lastUserMessage, seen[0]!.messages[2])
      assert.deepStrictEqual(seen[0]!.toolResults, [])
      assert.deepStrictEqual(seen[1]!.toolResults, [
        { toolUseId: "toolu_1", content: "hello\n", isError: false },
        { toolUseId: "toolu_2", content: "bad", isError: true }
      ])
      const messages = yield* server.messages
      assert.deepStrictEqual(messages.map((request) => request.text), ["one", "two", "three", "", "four"])
      assert.deepStrictEqual(messages.map((request) => request.recorded.url), [
        "/v1/messages?beta=true",
        "/v1/messages?beta=true",
        "/v1/messages?beta=true",
        "/v1/messages?beta=true",
        "/v1/messages?beta=true"
      ])

      yield* server.reset
      assert.deepStrictEqual(yield* server.requests, [])
      assert.strictEqual(yield* replyText(userTurn("after reset")), "script #0")
    }))

  it.scopedLive("the default script greets and quotes the prompt, then reports tool results", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make()
      const first = deltas(parseSse(yield* readText(yield* post(`${server.url}/v1/messages`, userTurn("say hi")))))
      assert.strictEqual(
        first.map((delta) => delta.text).join(""),
        "Hello from the loopback model server. You said: say hi"
      )
      const second = deltas(parseSse(
        yield* readText(
          yield* post(
            `${server.url}/v1/messages`,
            userTurn([{ type: "tool_result", tool_use_id: "t", content: "hello" }])
          )
        )
      ))
      assert.strictEqual(second.map((delta) => delta.text).join(""), "Tool results: hello")
    }))

  it.scopedLive("answers count_tokens, models, HEAD, unknown routes and bad bodies, and records them all", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make()
      const count = yield* post(`${server.url}/v1/messages/count_tokens?beta=true`, "x".repeat(40))
      assert.strictEqual(count.status, 200)
      assert.deepStrictEqual(JSON.parse(yield* readText(count)), { input_tokens: 10 })
      const models = yield* Effect.promise(() => fetch(`${server.url}/v1/models`))
      assert.deepStrictEqual(JSON.parse(yield* readText(models)), {
        data: [],
        has_more: false,
        first_id: null,
        last_id: null
      })
      const head = yield* Effect.promise(() => fetch(`${server.url}/`, { method: "HEAD" }))
      assert.strictEqual(head.status, 200)
      const unknown = yield* Effect.promise(() => fetch(`${server.url}/api/oauth/profile`))
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(JSON.parse(yield* readText(unknown)).error.type, "not_found_error")
      const bad = yield* post(`${server.url}/v1/messages`, { messages: [] })
      assert.strictEqual(bad.status, 400)
      assert.deepStrictEqual(JSON.parse(yield* readText(bad)).error, {
        type: "invalid_request_error",
        message: "model: is missing"
      })
      const notJson = yield* post(`${server.url}/v1/messages`, "{not json")
      assert.strictEqual(notJson.status, 400)

      const requests = yield* server.requests
      assert.deepStrictEqual(requests.map((request) => [request.index, request.method, request.url]), [
        [0, "POST", "/v1/messages/count_tokens?beta=true"],
        [1, "GET", "/v1/models"],
        [2, "HEAD", "/"],
        [3, "GET", "/api/oauth/profile"],
        [4, "POST", "/v1/messages"],
        [5, "POST", "/v1/messages"]
      ])
      assert.deepStrictEqual(requests[0]!.query, { beta: "true" })
      assert.strictEqual(requests[0]!.path, "/v1/messages/count_tokens")
      assert.strictEqual(requests[0]!.text, "x".repeat(40))
      assert.strictEqual(requests[0]!.headers["content-type"], "application/json")
      assert.deepStrictEqual(requests[4]!.body, { messages: [] })
      assert.strictEqual(requests[5]!.text, "{not json")
      assert.isUndefined(requests[5]!.body)
      // Requests the server could not decode are not model requests.
      assert.deepStrictEqual(yield* server.messages, [])
    }))

  it.scopedLive("a failing script answers 500 api_error instead of hanging the client", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({ script: () => Effect.die("script bug") })
      const response = yield* post(`${server.url}/v1/messages`, userTurn("hi"))
      assert.strictEqual(response.status, 500)
      const error = JSON.parse(yield* readText(response)).error
      assert.strictEqual(error.type, "api_error")
      assert.include(error.message, "script bug")
    }).pipe(Effect.withLogSpan("expected script failure")))

  it.scopedLive("slow spaces the streamed events by the delay", () =>
    Effect.gen(function*() {
      const server = yield* ModelServer.make({
        replies: [ModelServer.slow(ModelServer.text("abcdef", { chunkSize: 2 }), "25 millis")]
      })
      const response = yield* post(`${server.url}/v1/messages`, userTurn("hi"))
      const reader = response.body!.getReader()
      const arrivals: Array<number> = []
      let body = ""
      while (true) {
        const chunk = yield* Effect.promise(() => reader.read())
        if (chunk.done) break
        arrivals.push(performance.now())
        body += new TextDecoder().decode(chunk.value)
      }
      const events = parseSse(body)
      // message_start ping block_start 3 deltas block_stop message_delta message_stop
      assert.strictEqual(events.length, 9)
      // Each event is written on its own after its pause: the first arrives long before the last.
      assert.isAtLeast(arrivals.length, 5)
      assert.isAtLeast(arrivals.at(-1)! - arrivals[0]!, 7 * 25 - 10)
    }))

  it.scopedLive("hang never answers; closing the server cuts the request", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* ModelServer.make({ replies: [ModelServer.hang] }).pipe(Scope.extend(scope))
      const request = yield* Effect.fork(
        Effect.tryPromise(() =>
          fetch(`${server.url}/v1/messages`, { method: "POST", body: JSON.stringify(userTurn("wait")) })
        )
      )
      const [received] = yield* server.awaitMessages(1)
      assert.strictEqual(received!.text, "wait")
      assert.isNull(request.unsafePoll())
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(request)
      assert.isTrue(Exit.isFailure(exit), "the client sees the connection closed")
    }))
})

// -----------------------------------------------------------------------------
// ClaudeEnv
// -----------------------------------------------------------------------------

describe("ClaudeEnv", () => {
  it("makeEnv routes to the server, drops inherited routing and credentials, keeps the rest", () => {
    const env = ClaudeEnv.makeEnv("http://127.0.0.1:1234", "/tmp/home", {
      env: {
        ANTHROPIC_BASE_URL: "https://elsewhere.example",
        HTTPS_PROXY: "http://proxy.example",
        DISABLE_TELEMETRY: "0",
        CLAUDE_CODE_MAX_RETRIES: "2",
        ANTHROPIC_AUTH_TOKEN: "bearer-on-purpose"
      }
    }, {
      PATH: "/usr/bin",
      FOO: "bar",
      CLAUDECODE: "1",
      CLAUDE_CODE_ENTRYPOINT: "cli",
      ANTHROPIC_API_KEY: "sk-real",
      ANTHROPIC_MODEL: "claude-x",
      CLAUDE_CODE_USE_BEDROCK: "1",
      http_proxy: "http://proxy.example",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.example",
      HOME: "/root"
    })
    assert.deepStrictEqual(env, {
      PATH: "/usr/bin",
      FOO: "bar",
      HOME: "/tmp/home",
      CLAUDECODE: undefined,
      CLAUDE_CODE_ENTRYPOINT: undefined,
      CLAUDE_CONFIG_DIR: undefined,
      CLAUDE_CODE_OAUTH_TOKEN: undefined,
      ANTHROPIC_AUTH_TOKEN: "bearer-on-purpose",
      ANTHROPIC_MODEL: undefined,
      CLAUDE_CODE_ENABLE_TELEMETRY: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      CLAUDE_CODE_USE_BEDROCK: undefined,
      CLAUDE_CODE_USE_VERTEX: undefined,
      CLAUDE_CODE_USE_FOUNDRY: undefined,
      ANTHROPIC_BEDROCK_BASE_URL: undefined,
      ANTHROPIC_VERTEX_BASE_URL: undefined,
      ANTHROPIC_FOUNDRY_BASE_URL: undefined,
      HTTP_PROXY: undefined,
      HTTPS_PROXY: undefined,
      ALL_PROXY: undefined,
      http_proxy: undefined,
      https_proxy: undefined,
      all_proxy: undefined,
      CLAUDE_CODE_MAX_RETRIES: "2",
      NO_COLOR: "1",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:1234",
      ANTHROPIC_API_KEY: "sk-ant-loopback-0000",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1"
    })
    const bare = ClaudeEnv.makeEnv("http://127.0.0.1:1", "/h", { inherit: false, sandbox: true }, {
      PATH: "/bin",
      SECRET: "s"
    })
    assert.strictEqual(bare.PATH, "/bin")
    assert.notProperty(bare, "SECRET")
    assert.strictEqual(bare.IS_SANDBOX, "1")
    assert.strictEqual(bare.CLAUDE_CODE_MAX_RETRIES, "0")
  })

  it.scopedLive("make creates an empty HOME that disappears with the scope and finds the pinned binary", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const claude = yield* ClaudeEnv.make({ url: "http://127.0.0.1:9" }).pipe(Scope.extend(scope))
      assert.deepStrictEqual(Fs.readdirSync(claude.home), [])
      assert.strictEqual(claude.env.HOME, claude.home)
      assert.strictEqual(claude.env.ANTHROPIC_BASE_URL, "http://127.0.0.1:9")
      assert.match(claude.executable, /@anthropic-ai\/claude-code\/bin\/claude\.exe$/)
      assert.isTrue(Fs.statSync(claude.executable).isFile())
      Fs.mkdirSync(`${claude.home}/.claude/projects`, { recursive: true })
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(Fs.existsSync(claude.home))
    }))
})

layer(ClaudeEnv.layer().pipe(Layer.provideMerge(ModelServer.layer())))(
  "ModelServer.layer and ClaudeEnv.layer",
  (it) => {
    // `it.effect` runs under the TestClock, and so was the layer built: slow replies still progress.
    it.effect("provide a shared server, paced by the wall clock, and an environment pointing at it", () =>
      Effect.gen(function*() {
        const server = yield* ModelServer.ModelServer
        const claude = yield* ClaudeEnv.ClaudeEnv
        assert.strictEqual(claude.env.ANTHROPIC_BASE_URL, server.url)
        yield* server.enqueue(ModelServer.slow(ModelServer.text("from the layer", { chunkSize: 20 }), "1 millis"))
        const response = yield* post(`${server.url}/v1/messages`, userTurn("hi"), {
          signal: AbortSignal.timeout(5_000)
        })
        const events = parseSse(yield* readText(response))
        assert.deepStrictEqual(deltas(events), [{ type: "text_delta", text: "from the layer" }])
        assert.strictEqual((yield* server.messages).length, 1)
      }))
  }
)

// -----------------------------------------------------------------------------
// The real CLI against the server
// -----------------------------------------------------------------------------

/** A server, the environment pointing the CLI at it, and a throw-away project directory. */
const setup = (options?: ModelServer.Options) =>
  Effect.gen(function*() {
    const server = yield* ModelServer.make(options)
    const claude = yield* ClaudeEnv.make(server)
    const cwd = yield* ClaudeEnv.tempDirectory()
    return { server, claude, cwd }
  })

describe("the real claude CLI against ModelServer", () => {
  it.scopedLive("a text reply becomes the result, with usage; the prompt arrives byte for byte", () =>
    Effect.gen(function*() {
      const { claude, cwd, server } = yield* setup({ replies: [ModelServer.text("Loopback answer: 42.")] })
      const prompt = "  Héllo \"wörld\" 🚀 $HOME `x` 'q' \\ back\n-- second line\twith a tab\u2028and U+2028  "
      const run = yield* runClaude(claude, { cwd, prompt })
      assert.strictEqual(run.code, 0, run.stderr)
      const result = resultLine(run)
      assert.isDefined(result, run.stdout)
      assert.strictEqual(result.result, "Loopback answer: 42.")
      assert.isFalse(result.is_error)
      assert.strictEqual(result.terminal_reason, "completed")
      assert.strictEqual(result.usage.input_tokens, 100)
      assert.strictEqual(result.usage.output_tokens, 5)
      assert.isAbove(result.total_cost_usd, 0)

      const [request, ...more] = yield* server.requests
      assert.deepStrictEqual(more, [], "one request per turn")
      assert.strictEqual(request!.method, "POST")
      assert.strictEqual(request!.url, "/v1/messages?beta=true")
      assert.strictEqual(request!.headers["x-api-key"], claude.env.ANTHROPIC_API_KEY)
      assert.strictEqual(request!.headers["anthropic-version"], "2023-06-01")
      assert.strictEqual(request!.headers["x-claude-code-session-id"], result.session_id)
      const [messages] = yield* server.messages
      assert.isTrue(messages!.stream)
      const init = run.lines.find((line) => line.type === "system" && line.subtype === "init")
      assert.strictEqual(messages!.model, init?.model)
      assert.strictEqual(messages!.text, prompt)
      const blocks = messages!.lastUserMessage!.content as ReadonlyArray<ModelServer.ContentBlockParam>
      assert.deepStrictEqual(blocks.at(-1), { type: "text", text: prompt })
      // Byte-identical in the raw body too, once JSON string escapes are undone.
      assert.include(request!.text, JSON.stringify(prompt).slice(1, -1))
    }))

  it.scopedLive("a Bash tool call runs, and the follow-up request carries its tool_result", () =>
    Effect.gen(function*() {
      const { claude, cwd, server } = yield* setup({
        script: (request) =>
          request.toolResults.length === 0
            ? ModelServer.toolUse("Bash", { command: "echo hello" }, { id: "toolu_echo", text: "Running." })
            : ModelServer.text(`The tool said: ${request.toolResults[0]!.content.trim()}`)
      })
      const run = yield* runClaude(claude, { cwd, prompt: "run echo", flags: ["--allowedTools", "Bash"] })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.strictEqual(resultLine(run)?.result, "The tool said: hello")
      assert.strictEqual(resultLine(run)?.num_turns, 2)

      const messages = yield* server.messages
      assert.strictEqual(messages.length, 2)
      assert.strictEqual(messages[0]!.text, "run echo")
      assert.strictEqual(messages[1]!.lastUserMessage, messages[1]!.messages.at(-1))
      assert.deepStrictEqual(messages[1]!.toolResults, [{ toolUseId: "toolu_echo", content: "hello", isError: false }])
      // The CLI echoes our tool call and its result as stream-json lines.
      const toolUse = run.lines.find((line) => line.type === "assistant" && line.message.content[0].type === "tool_use")
      assert.deepStrictEqual(toolUse?.message.content[0], {
        type: "tool_use",
        id: "toolu_echo",
        name: "Bash",
        input: { command: "echo hello" }
      })
      const toolResult = run.lines.find((line) => line.type === "user")
      assert.strictEqual(toolResult?.message.content[0].content, "hello")
    }))

  it.scopedLive("401, 429, 529 and 500 end the turn at once with is_error and exit code 1", () =>
    Effect.gen(function*() {
      const statuses = [401, 429, 529, 500] as const
      const { claude, cwd, server } = yield* setup({
        script: (request) => ModelServer.httpError(Number(request.text.replace("status ", "")))
      })
      const runs = yield* Effect.forEach(
        statuses,
        (status) => runClaude(claude, { cwd, prompt: `status ${status}` }),
        { concurrency: 2 }
      )
      for (const [i, status] of statuses.entries()) {
        const run = runs[i]!
        assert.strictEqual(run.code, 1, `status ${status}: ${run.stderr}`)
        const result = resultLine(run)
        assert.isDefined(result, run.stdout)
        assert.isTrue(result.is_error)
        assert.strictEqual(result.terminal_reason, "api_error")
        assert.strictEqual(result.api_error_status, status)
        const synthetic = run.lines.find((line) => line.type === "assistant")
        assert.isTrue(synthetic?.is_api_error_message)
        assert.strictEqual(synthetic?.message.model, "<synthetic>")
        assert.isUndefined(run.lines.find((line) => line.type === "system" && line.subtype === "api_retry"))
      }
      // No retries: exactly one request per run.
      const texts = (yield* server.messages).map((request) => request.text).sort()
      assert.deepStrictEqual(texts, statuses.map((status) => `status ${status}`).sort())
    }))

  it.scopedLive("a persistent 400 is retried with fewer betas, six requests in all, then fails", () =>
    Effect.gen(function*() {
      const { claude, cwd, server } = yield* setup({ script: () => ModelServer.httpError(400) })
      const run = yield* runClaude(claude, { cwd, prompt: "bad request" })
      assert.strictEqual(run.code, 1, run.stderr)
      const result = resultLine(run)
      assert.isDefined(result, run.stdout)
      assert.isTrue(result.is_error)
      assert.strictEqual(result.api_error_status, 400)
      const betas = (yield* server.messages).map((request) => request.recorded.headers["anthropic-beta"] ?? "")
      assert.strictEqual(betas.length, 6)
      assert.include(betas[0], "thinking-token-count-")
      assert.notInclude(betas[1], "thinking-token-count-")
    }))

  it.scopedLive("--include-partial-messages forwards the server's events as stream_event lines", () =>
    Effect.gen(function*() {
      const { claude, cwd } = yield* setup({
        replies: [ModelServer.text("one two three four", { chunkSize: 4 })]
      })
      const run = yield* runClaude(claude, { cwd, prompt: "count", flags: ["--include-partial-messages"] })
      assert.strictEqual(run.code, 0, run.stderr)
      const events = streamEvents(run.lines)
      assert.deepStrictEqual(events.map((event) => event.type), [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop"
      ])
      assert.deepStrictEqual(
        events.filter((event) => event.type === "content_block_delta").map((event) => event.delta),
        ["one ", "two ", "thre", "e fo", "ur"].map((text) => ({ type: "text_delta", text }))
      )
      assert.deepStrictEqual(events.at(-2), {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 5 }
      })
      assert.strictEqual(resultLine(run)?.result, "one two three four")
    }))
})
