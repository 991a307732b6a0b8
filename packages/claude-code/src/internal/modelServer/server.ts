import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type * as ModelServer from "../../ModelServer.js"
import * as events from "./events.js"
import { decodeMessagesRequest } from "./request.js"

/** What the public `make` resolved from its options. */
export interface MakeOptions<E> {
  readonly script: ModelServer.Script
  readonly replies: ReadonlyArray<ModelServer.Reply>
  readonly port: number
  readonly makeError: (port: number, cause: unknown) => E
}

interface State {
  readonly requests: ReadonlyArray<ModelServer.RecordedRequest>
  readonly messages: ReadonlyArray<ModelServer.MessagesRequest>
}

const emptyState: State = { requests: [], messages: [] }

const parseJson = (text: string): unknown => {
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

// Real processes are on the other end: replies are paced by the wall clock even where the server
// runs under a TestClock (e.g. built by an @effect/vitest `layer`).
const wallClock = Clock.make()

const json = (body: unknown, status: number, headers: Readonly<Record<string, string>>) =>
  HttpServerResponse.unsafeJson(body, { status, headers })

/** Starts the server; see `ModelServer.make`. */
export const make = <E>(
  options: MakeOptions<E>
): Effect.Effect<ModelServer.ModelServer, E, Scope.Scope> =>
  Effect.gen(function*() {
    const nodeServer = yield* Effect.sync(() => Http.createServer())
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port, host: "127.0.0.1" }).pipe(
      Effect.mapError((error) => options.makeError(options.port, error.cause))
    )
    // `server.close()` waits for every open connection: cut them (hanging or slow replies) first.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    const port = server.address._tag === "TcpAddress" ? server.address.port : options.port
    // Ids stay unique across servers, so resumed sessions never see two messages with one id.
    const idPrefix = `loopback_${Crypto.randomBytes(4).toString("hex")}_`

    const state = yield* SubscriptionRef.make(emptyState)
    const queue = yield* Ref.make<ReadonlyArray<ModelServer.Reply>>(options.replies)
    const scriptRef = yield* Ref.make(options.script)

    const requestId = (recorded: ModelServer.RecordedRequest) => `req_${idPrefix}${recorded.index}`

    const errorResponse = (
      recorded: ModelServer.RecordedRequest,
      status: number,
      errorType: string,
      message: string,
      headers: Readonly<Record<string, string>> = {}
    ) =>
      json(events.errorBody(errorType, message, requestId(recorded)), status, {
        ...headers,
        "request-id": requestId(recorded)
      })

    const recordRequest = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      const url = new URL(request.originalUrl, "http://127.0.0.1")
      const recorded = yield* SubscriptionRef.modify(state, (current): [ModelServer.RecordedRequest, State] => {
        const recorded: ModelServer.RecordedRequest = {
          index: current.requests.length,
          method: request.method,
          url: request.originalUrl,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: { ...request.headers },
          text,
          body: parseJson(text)
        }
        return [recorded, { ...current, requests: [...current.requests, recorded] }]
      })
      yield* Effect.logDebug(`ModelServer: ${recorded.method} ${recorded.url}`)
      return recorded
    })

    const runScript = (request: ModelServer.MessagesRequest) =>
      Effect.flatMap(Ref.get(scriptRef), (script) =>
        Effect.suspend(() => {
          const reply = script(request)
          return Effect.isEffect(reply) ? reply : Effect.succeed(reply)
        }))

    const nextReply = (request: ModelServer.MessagesRequest) =>
      Ref.modify(queue, (replies) =>
        replies.length > 0
          ? [Option.some(replies[0]!), replies.slice(1)] as const
          : [Option.none(), replies] as const).pipe(
          Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => runScript(request) }))
        )

    const respond = (
      reply: ModelServer.Reply,
      request: ModelServer.MessagesRequest
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      const id = requestId(request.recorded)
      switch (reply._tag) {
        case "Hang":
          return Effect.never
        case "HttpError":
          return Effect.delay(
            Effect.succeed(
              errorResponse(request.recorded, reply.status, reply.errorType, reply.message, reply.headers)
            ),
            reply.delay
          )
        case "Message": {
          const context: events.MessageContext = {
            messageId: `msg_${idPrefix}${request.index}`,
            model: request.model,
            toolUseId: (block) => `toolu_${idPrefix}${request.index}_${block}`
          }
          if (!request.stream) {
            return Effect.delay(
              Effect.succeed(json(events.messageBody(reply, context), 200, { "request-id": id })),
              reply.delay
            )
          }
          const sse = Stream.fromIterable(events.messageEvents(reply, context))
          const paced = Duration.isZero(reply.delay)
            ? sse
            // The body stream runs after the route returned, outside `withClock` below.
            : Stream.tap(sse, () => Effect.withClock(Effect.sleep(reply.delay), wallClock))
          return Effect.succeed(HttpServerResponse.stream(
            paced.pipe(Stream.map(events.encodeEvent), Stream.encodeText),
            { contentType: "text/event-stream", headers: { "cache-control": "no-cache", "request-id": id } }
          ))
        }
      }
    }

    const messagesRoute = Effect.gen(function*() {
      const recorded = yield* recordRequest
      const decoded = decodeMessagesRequest(recorded)
      if (Either.isLeft(decoded)) {
        return errorResponse(recorded, 400, "invalid_request_error", decoded.left)
      }
      const request = yield* SubscriptionRef.modify(state, (current): [ModelServer.MessagesRequest, State] => {
        const request = { index: current.messages.length, ...decoded.right }
        return [request, { ...current, messages: [...current.messages, request] }]
      })
      return yield* nextReply(request).pipe(
        Effect.flatMap((reply) => respond(reply, request)),
        Effect.catchAllCause((cause) =>
          Effect.as(
            Effect.logError("ModelServer: the script failed", cause),
            errorResponse(
              recorded,
              500,
              "api_error",
              `loopback model server: the script failed: ${Cause.pretty(cause)}`
            )
          )
        )
      )
    })

    const countTokensRoute = Effect.map(
      recordRequest,
      (recorded) =>
        json({ input_tokens: Math.max(1, Math.ceil(recorded.text.length / 4)) }, 200, {
          "request-id": requestId(recorded)
        })
    )

    const modelsRoute = Effect.map(
      recordRequest,
      (recorded) =>
        json({ data: [], has_more: false, first_id: null, last_id: null }, 200, { "request-id": requestId(recorded) })
    )

    const fallbackRoute = Effect.map(recordRequest, (recorded) =>
      recorded.method === "HEAD"
        ? HttpServerResponse.empty({ status: 200 })
        : errorResponse(
          recorded,
          404,
          "not_found_error",
          `loopback model server: no route for ${recorded.method} ${recorded.path}`
        ))

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/v1/messages", messagesRoute),
      HttpRouter.post("/v1/messages/count_tokens", countTokensRoute),
      HttpRouter.get("/v1/models", modelsRoute),
      HttpRouter.all("/*", fallbackRoute)
    )
    yield* server.serve(Effect.withClock(router, wallClock))

    const messages = Effect.map(SubscriptionRef.get(state), (current) => current.messages)
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      requests: Effect.map(SubscriptionRef.get(state), (current) => current.requests),
      messages,
      awaitMessages: (count: number) =>
        state.changes.pipe(
          Stream.map((current) => current.messages),
          Stream.filter((messages) => messages.length >= count),
          Stream.runHead,
          Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => messages }))
        ),
      enqueue: (...replies: ReadonlyArray<ModelServer.Reply>) => Ref.update(queue, (queued) => [...queued, ...replies]),
      setScript: (script: ModelServer.Script) => Ref.set(scriptRef, script),
      reset: Effect.all([
        SubscriptionRef.set(state, emptyState),
        Ref.set(queue, []),
        Ref.set(scriptRef, options.script)
      ], { discard: true })
    }
  })
