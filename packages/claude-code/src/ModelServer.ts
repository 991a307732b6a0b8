/**
 * A loopback stand-in for the Anthropic Messages API, so the real `claude` CLI can run offline in
 * tests: it answers `POST /v1/messages` with scripted replies streamed as server-sent events and
 * records every request it receives.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as events from "./internal/modelServer/events.js"
import * as internal from "./internal/modelServer/server.js"

// -----------------------------------------------------------------------------
// Requests
// -----------------------------------------------------------------------------

/**
 * One HTTP request as the server received it, whatever its path.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * // every request the CLI made, model requests or not
 * const paths = (server: ModelServer.ModelServer) =>
 *   Effect.map(server.requests, (requests) => requests.map((request: ModelServer.RecordedRequest) => `${request.method} ${request.path}`))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  /** Position among all requests this server received, from 0. */
  readonly index: number
  readonly method: string
  /** Path and query as sent, e.g. `/v1/messages?beta=true`. */
  readonly url: string
  /** Path without the query, e.g. `/v1/messages`. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The body exactly as received, decoded as UTF-8. */
  readonly text: string
  /** The body parsed as JSON, `undefined` when it is empty or not JSON. */
  readonly body: unknown
}

/**
 * A content block of a request message (`text`, `tool_use`, `tool_result`, `image`, ...), kept raw.
 *
 * @example
 * ```ts
 * import type { ModelServer } from "effect-claude-code/testing"
 *
 * const images = (request: ModelServer.MessagesRequest): Array<ModelServer.ContentBlockParam> =>
 *   request.messages.flatMap((message) => typeof message.content === "string" ? [] : message.content)
 *     .filter((block) => block.type === "image")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ContentBlockParam {
  readonly type: string
  readonly [key: string]: unknown
}

/**
 * A message of a request's `messages` array. Besides `user` and `assistant`, the CLI sends `system`
 * entries.
 *
 * @example
 * ```ts
 * import type { ModelServer } from "effect-claude-code/testing"
 *
 * const turns = (request: ModelServer.MessagesRequest): number =>
 *   request.messages.filter((message: ModelServer.MessageParam) => message.role === "user").length
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageParam {
  readonly role: string
  readonly content: string | ReadonlyArray<ContentBlockParam>
  readonly [key: string]: unknown
}

/**
 * A `tool_result` block of the last user message, its content flattened to text.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * // call a tool, then report whether it failed
 * const script: ModelServer.Script = (request) => {
 *   const result: ModelServer.ToolResult | undefined = request.toolResults[0]
 *   return result === undefined
 *     ? ModelServer.toolUse("Bash", { command: "ls" })
 *     : ModelServer.text(result.isError ? "the tool failed" : `the tool said: ${result.content}`)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolResult {
  readonly toolUseId: string
  readonly content: string
  readonly isError: boolean
}

/**
 * A `POST /v1/messages` request, what a {@link Script} decides a reply for.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const script: ModelServer.Script = (request: ModelServer.MessagesRequest) =>
 *   request.tools.includes("Read") ? ModelServer.toolUse("Read", { file_path: "README.md" }) : ModelServer.text(request.text)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MessagesRequest {
  /** Position among the model requests this server received, from 0. */
  readonly index: number
  readonly model: string
  readonly stream: boolean
  readonly system: unknown
  /** Names of the tools offered to the model. */
  readonly tools: ReadonlyArray<string>
  readonly messages: ReadonlyArray<MessageParam>
  /** The last `role: "user"` message (not necessarily the last message: the CLI may append a `system` one). */
  readonly lastUserMessage: MessageParam | undefined
  /** The text blocks of the last user message, without the CLI's `<system-reminder>` blocks, joined by "\n". */
  readonly text: string
  /** The `tool_result` blocks of the last user message. */
  readonly toolResults: ReadonlyArray<ToolResult>
  /** The whole parsed body. */
  readonly body: Readonly<Record<string, unknown>>
  readonly recorded: RecordedRequest
}

// -----------------------------------------------------------------------------
// Replies
// -----------------------------------------------------------------------------

/**
 * A content block of a scripted reply. A `ToolUse` without an `id` gets `toolu_loopback_<request>_<block>`.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const blocks: Array<ModelServer.Block> = [
 *   ModelServer.Block.Thinking({ thinking: "The user wants a file.", signature: "sig" }),
 *   ModelServer.Block.Text({ text: "Reading it." }),
 *   ModelServer.Block.ToolUse({ name: "Read", input: { file_path: "a.txt" }, id: undefined })
 * ]
 * const reply = ModelServer.message(blocks)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Block = Data.TaggedEnum<{
  Text: { readonly text: string }
  ToolUse: { readonly name: string; readonly input: unknown; readonly id: string | undefined }
  Thinking: { readonly thinking: string; readonly signature: string }
}>

/**
 * Constructors and matchers for {@link Block}.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const block = ModelServer.Block.Text({ text: "hi" })
 * assert.strictEqual(ModelServer.Block.$is("Text")(block), true)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const Block = Data.taggedEnum<Block>()

/**
 * Why the model stopped, reported in `message_delta`.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const stopReason: ModelServer.StopReason = "max_tokens"
 * const truncated = ModelServer.text("The answer is", { stopReason })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "pause_turn" | "refusal"

/**
 * Token counts a reply reports. Unset: 100 input tokens, about one output token per 4 characters of
 * content, no cache tokens.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const usage: ModelServer.Usage = { inputTokens: 1200, outputTokens: 40, cacheReadInputTokens: 1000 }
 * const reply = ModelServer.text("cached", { usage })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage {
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly cacheCreationInputTokens?: number
  readonly cacheReadInputTokens?: number
}

/**
 * What the server answers to one model request.
 *
 * - `Message`: a `200` with the blocks streamed as SSE (or one JSON message when the request did
 *   not ask for a stream), each block's content split into deltas of `chunkSize` characters, with
 *   `delay` before every event.
 * - `HttpError`: `status` with Anthropic's JSON error body, after `delay`.
 * - `Hang`: never answers; the request ends when the client gives up or the server closes.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const describe = (reply: ModelServer.Reply): string =>
 *   ModelServer.Reply.$match(reply, {
 *     Message: ({ blocks }) => `${blocks.length} block(s)`,
 *     HttpError: ({ status }) => `HTTP ${status}`,
 *     Hang: () => "no answer"
 *   })
 * assert.strictEqual(describe(ModelServer.httpError(529)), "HTTP 529")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Reply = Data.TaggedEnum<{
  Message: {
    readonly blocks: ReadonlyArray<Block>
    readonly stopReason: StopReason
    readonly usage: Usage
    readonly chunkSize: number
    readonly delay: Duration.Duration
  }
  HttpError: {
    readonly status: number
    readonly errorType: string
    readonly message: string
    readonly headers: Readonly<Record<string, string>>
    readonly delay: Duration.Duration
  }
  Hang: {}
}>

/**
 * The variants of {@link Reply}.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const status = (reply: ModelServer.Reply.HttpError): number => reply.status
 * const error = ModelServer.httpError(503)
 * if (error._tag === "HttpError") assert.strictEqual(status(error), 503)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace Reply {
  /**
   * A `200` with content blocks.
   *
   * @example
   * ```ts
   * import { ModelServer } from "effect-claude-code/testing"
   *
   * const blocks = (reply: ModelServer.Reply.Message) => reply.blocks.length
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export type Message = Data.TaggedEnum.Value<Reply, "Message">
  /**
   * An HTTP error status with Anthropic's error body.
   *
   * @example
   * ```ts
   * import { ModelServer } from "effect-claude-code/testing"
   *
   * const status = (reply: ModelServer.Reply.HttpError) => reply.status
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export type HttpError = Data.TaggedEnum.Value<Reply, "HttpError">
  /**
   * No answer at all.
   *
   * @example
   * ```ts
   * import { ModelServer } from "effect-claude-code/testing"
   *
   * const never: ModelServer.Reply.Hang = ModelServer.Reply.Hang()
   * ```
   *
   * @since 0.1.0
   * @category models
   */
  export type Hang = Data.TaggedEnum.Value<Reply, "Hang">
}

/**
 * Constructors, `$is` and `$match` for {@link Reply}; the functions below are the convenient way
 * to build one.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * assert.strictEqual(ModelServer.Reply.$is("Hang")(ModelServer.hang), true)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const Reply = Data.taggedEnum<Reply>()

/**
 * Streaming options shared by the message constructors.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * // one character per delta, 20 ms apart: a slow typist
 * const options: ModelServer.MessageOptions = { chunkSize: 1, delay: "20 millis" }
 * const reply = ModelServer.text("Hello", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageOptions {
  /** Characters per delta event (default 12). */
  readonly chunkSize?: number
  /** Pause before every event (default none). */
  readonly delay?: Duration.DurationInput
  readonly usage?: Usage
  readonly stopReason?: StopReason
}

/**
 * A reply with any blocks; `stopReason` defaults to `tool_use` when a block is a tool use, else
 * `end_turn`.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const reply = ModelServer.message([
 *   ModelServer.Block.Text({ text: "Let me look." }),
 *   ModelServer.Block.ToolUse({ name: "Glob", input: { pattern: "*.ts" }, id: "toolu_1" })
 * ])
 * assert.strictEqual(reply._tag === "Message" && reply.stopReason, "tool_use")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const message = (blocks: ReadonlyArray<Block>, options?: MessageOptions): Reply =>
  Reply.Message({
    blocks,
    stopReason: options?.stopReason ?? (blocks.some(Block.$is("ToolUse")) ? "tool_use" : "end_turn"),
    usage: options?.usage ?? {},
    chunkSize: options?.chunkSize ?? 12,
    delay: Duration.decode(options?.delay ?? 0)
  })

/**
 * A text reply, streamed as several `text_delta` events.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const reply = ModelServer.text("4", { usage: { outputTokens: 1 } })
 * assert.strictEqual(reply._tag, "Message")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (text: string, options?: MessageOptions): Reply => message([Block.Text({ text })], options)

/**
 * A tool call (stop reason `tool_use`), optionally after some text. The CLI runs the tool (if its
 * permissions allow) and sends another request whose last user message holds the `tool_result`.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * // first request: run a command; second (with the tool result): answer
 * const script: ModelServer.Script = (request) =>
 *   request.toolResults.length === 0
 *     ? ModelServer.toolUse("Bash", { command: "echo hi" }, { text: "Running it." })
 *     : ModelServer.text(`It printed ${request.toolResults[0]!.content}`)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolUse = (
  name: string,
  input: unknown,
  options?: MessageOptions & { readonly id?: string; readonly text?: string }
): Reply =>
  message(
    [
      ...(options?.text === undefined ? [] : [Block.Text({ text: options.text })]),
      Block.ToolUse({ name, input, id: options?.id })
    ],
    options
  )

/**
 * A thinking block (streamed as `thinking_delta` events and a `signature_delta`) followed by a
 * text answer.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const reply = ModelServer.thinking("2 + 2 is 4.", "4")
 * assert.strictEqual(reply._tag === "Message" && reply.blocks.length, 2)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const thinking = (
  thinking: string,
  text: string,
  options?: MessageOptions & { readonly signature?: string }
): Reply =>
  message(
    [Block.Thinking({ thinking, signature: options?.signature ?? "loopback-signature" }), Block.Text({ text })],
    options
  )

/**
 * An HTTP error with Anthropic's body `{"type":"error","error":{"type":...,"message":...}}`. The
 * error type defaults from the status (401 `authentication_error`, 429 `rate_limit_error`, 529
 * `overloaded_error`, 500 `api_error`, ...); `retryAfter` (seconds) sets `retry-after`.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const overloaded = ModelServer.httpError(529)
 * const limited = ModelServer.httpError(429, { retryAfter: 30, message: "slow down" })
 * assert.strictEqual(limited._tag === "HttpError" && limited.headers["retry-after"], "30")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpError = (
  status: number,
  options?: {
    readonly type?: string
    readonly message?: string
    readonly retryAfter?: number
    readonly headers?: Readonly<Record<string, string>>
    readonly delay?: Duration.DurationInput
  }
): Reply =>
  Reply.HttpError({
    status,
    errorType: options?.type ?? events.defaultErrorType(status),
    message: options?.message ?? events.defaultErrorMessage(status),
    headers: {
      ...(options?.retryAfter === undefined ? {} : { "retry-after": String(options.retryAfter) }),
      ...options?.headers
    },
    delay: Duration.decode(options?.delay ?? 0)
  })

/**
 * A request that is never answered, for timeout and interruption tests.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * // the model never answers: the run ends by idleTimeout
 * const program = Effect.gen(function*() {
 *   const server = yield* ModelServer.make({ replies: [ModelServer.hang] })
 *   const claude = yield* ClaudeEnv.make(server)
 *   return yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env, idleTimeout: "5 seconds" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const hang: Reply = Reply.Hang()

/**
 * The same reply with a pause before every streamed event (before the response for an error).
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 * import { Duration, pipe } from "effect"
 *
 * const dripping = pipe(ModelServer.text("a long answer"), ModelServer.slow("50 millis"))
 * assert.strictEqual(dripping._tag === "Message" && Duration.toMillis(dripping.delay), 50)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const slow: {
  (delayPerEvent: Duration.DurationInput): (self: Reply) => Reply
  (self: Reply, delayPerEvent: Duration.DurationInput): Reply
} = dual(2, (self: Reply, delayPerEvent: Duration.DurationInput): Reply =>
  Reply.$match(self, {
    Message: (reply) => Reply.Message({ ...reply, delay: Duration.decode(delayPerEvent) }),
    HttpError: (reply) => Reply.HttpError({ ...reply, delay: Duration.decode(delayPerEvent) }),
    Hang: (reply) => reply
  }))

/**
 * Decides the reply to a model request. It runs for every request the queue (see
 * {@link ModelServer.enqueue}) has no reply for.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * // a script may be effectful
 * const script: ModelServer.Script = (request) =>
 *   Effect.as(Effect.log(`request ${request.index}: ${request.text}`), ModelServer.text("ok"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Script = (request: MessagesRequest) => Reply | Effect.Effect<Reply>

/**
 * The script used when none is given: after a tool call it reports the tool results, otherwise it
 * greets and quotes the prompt (`Hello from the loopback model server. You said: ...`).
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const program = ModelServer.make({ script: ModelServer.defaultScript }) // the same as make()
 * ```
 *
 * @since 0.1.0
 * @category scripts
 */
export const defaultScript: Script = (request) =>
  request.toolResults.length > 0
    ? text(`Tool results: ${request.toolResults.map((result) => result.content).join("\n")}`)
    : text(`Hello from the loopback model server. You said: ${request.text}`)

// -----------------------------------------------------------------------------
// Server
// -----------------------------------------------------------------------------

/**
 * A running loopback model server.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* ModelServer.make()
 *     yield* server.enqueue(ModelServer.text("first"), ModelServer.text("second"))
 *     const claude = yield* ClaudeEnv.make(server)
 *     const result = yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env })
 *     const [request] = yield* server.awaitMessages(1)
 *     return { answer: result.text, prompt: request!.text }
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelServer {
  /** `http://127.0.0.1:PORT`, the value for `ANTHROPIC_BASE_URL`. */
  readonly url: string
  readonly port: number
  /** Every request received so far, in arrival order. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** The `POST /v1/messages` requests received so far, in arrival order. */
  readonly messages: Effect.Effect<ReadonlyArray<MessagesRequest>>
  /** Waits until at least `count` model requests have arrived, then returns them all. */
  readonly awaitMessages: (count: number) => Effect.Effect<ReadonlyArray<MessagesRequest>>
  /** Queues replies; each model request takes the oldest one before the script is asked. */
  readonly enqueue: (...replies: ReadonlyArray<Reply>) => Effect.Effect<void>
  /** Replaces the script. */
  readonly setScript: (script: Script) => Effect.Effect<void>
  /** Forgets the recorded requests and queued replies and restores the script given to `make`. */
  readonly reset: Effect.Effect<void>
}

/**
 * The service tag of a {@link ModelServer}, provided by {@link layer}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const requestCount = Effect.flatMap(ModelServer.ModelServer, (server) => server.messages).pipe(
 *   Effect.map((messages) => messages.length),
 *   Effect.provide(ModelServer.layer())
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const ModelServer: Context.Tag<ModelServer, ModelServer> = Context.GenericTag<ModelServer>(
  "effect-claude-code/testing/ModelServer"
)

/**
 * Options of {@link make}.
 *
 * @example
 * ```ts
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const options: ModelServer.Options = {
 *   replies: [ModelServer.httpError(529)], // the first request fails
 *   script: (request) => ModelServer.text(`echo: ${request.text}`) // then echo
 * }
 * const program = ModelServer.make(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Decides replies the queue has none for (default {@link defaultScript}). */
  readonly script?: Script
  /** Replies queued from the start. */
  readonly replies?: Iterable<Reply>
  /** Port on 127.0.0.1 (default 0: a free one). The server never listens on another address. */
  readonly port?: number
}

/**
 * The server could not listen.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ModelServer } from "effect-claude-code/testing"
 *
 * const program = ModelServer.make({ port: 8080 }).pipe(
 *   Effect.catchTag("ModelServerError", (error) => Effect.zipRight(Effect.logWarning(error.message), ModelServer.make()))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ModelServerError extends Schema.TaggedError<ModelServerError>()("ModelServerError", {
  port: Schema.Number,
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The loopback model server could not listen on 127.0.0.1:${this.port}: ${String(this.cause)}. ` +
      "Use port 0 to get a free port."
  }
}

/**
 * Starts a server on 127.0.0.1; it stops, cutting any open connection, when the scope closes.
 *
 * It answers `POST /v1/messages` (any query, the CLI adds `?beta=true`) with the next queued reply
 * or the script's reply, `POST /v1/messages/count_tokens` with an estimate, `GET /v1/models` with
 * an empty list, `HEAD` with `200`, and anything else with a `404` in Anthropic's error shape.
 * Every request is recorded.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* ModelServer.make({ script: (request) => ModelServer.text(`echo: ${request.text}`) })
 *     const claude = yield* ClaudeEnv.make(server)
 *     return yield* ClaudeCode.run("hi", { executable: claude.executable, env: claude.env }) // text: "echo: hi"
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<ModelServer, ModelServerError, Scope.Scope> = Effect.fn(
  "ModelServer.make"
)((options?: Options) =>
  internal.make({
    script: options?.script ?? defaultScript,
    replies: Array.from(options?.replies ?? []),
    port: options?.port ?? 0,
    makeError: (port, cause) => new ModelServerError({ port, cause })
  })
)

/**
 * A layer providing a {@link ModelServer} for as long as the layer lives; tests sharing it can
 * call `reset` between them.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
 * import { Effect, Layer } from "effect"
 *
 * const TestEnv = ClaudeEnv.layer().pipe(Layer.provideMerge(ModelServer.layer({ replies: [ModelServer.text("hi!")] })))
 * const program = Effect.gen(function*() {
 *   const claude = yield* ClaudeEnv.ClaudeEnv
 *   return yield* ClaudeCode.run("hello", { executable: claude.executable, env: claude.env })
 * }).pipe(Effect.provide(TestEnv))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<ModelServer, ModelServerError> =>
  Layer.scoped(ModelServer, make(options))
