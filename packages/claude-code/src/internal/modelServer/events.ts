import type * as ModelServer from "../../ModelServer.js"

/** One server-sent event: its `event:` name and the JSON `data:` payload (whose `type` is the same name). */
export interface SseEvent {
  readonly event: string
  readonly data: { readonly type: string; readonly [key: string]: unknown }
}

/** Ids and model the server fills in for a `Message` reply. */
export interface MessageContext {
  readonly messageId: string
  readonly model: string
  readonly toolUseId: (blockIndex: number) => string
}

/** The input tokens reported when a reply does not set them. */
export const defaultInputTokens = 100

/** Splits by code points (never inside a surrogate pair) into pieces of at most `size` characters. */
export const chunk = (text: string, size: number): ReadonlyArray<string> => {
  const codePoints = Array.from(text)
  const step = Math.max(1, Math.floor(size))
  const pieces: Array<string> = []
  for (let i = 0; i < codePoints.length; i += step) {
    pieces.push(codePoints.slice(i, i + step).join(""))
  }
  return pieces
}

type ResolvedBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature: string }

const resolveBlocks = (
  reply: ModelServer.Reply.Message,
  context: MessageContext
): ReadonlyArray<ResolvedBlock> =>
  reply.blocks.map((block, index): ResolvedBlock => {
    switch (block._tag) {
      case "Text":
        return { type: "text", text: block.text }
      case "ToolUse":
        return { type: "tool_use", id: block.id ?? context.toolUseId(index), name: block.name, input: block.input }
      case "Thinking":
        return { type: "thinking", thinking: block.thinking, signature: block.signature }
    }
  })

const contentLength = (blocks: ReadonlyArray<ResolvedBlock>): number => {
  let length = 0
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        length += block.text.length
        break
      case "tool_use":
        length += JSON.stringify(block.input).length
        break
      case "thinking":
        length += block.thinking.length
        break
    }
  }
  return length
}

const resolveUsage = (reply: ModelServer.Reply.Message, blocks: ReadonlyArray<ResolvedBlock>) => ({
  input_tokens: reply.usage.inputTokens ?? defaultInputTokens,
  output_tokens: reply.usage.outputTokens ?? Math.max(1, Math.ceil(contentLength(blocks) / 4)),
  cache_creation_input_tokens: reply.usage.cacheCreationInputTokens ?? 0,
  cache_read_input_tokens: reply.usage.cacheReadInputTokens ?? 0
})

const blockEvents = (
  block: ResolvedBlock,
  index: number,
  chunkSize: number
): ReadonlyArray<SseEvent> => {
  const delta = (delta: Record<string, unknown>): SseEvent => ({
    event: "content_block_delta",
    data: { type: "content_block_delta", index, delta }
  })
  switch (block.type) {
    case "text":
      return [
        {
          event: "content_block_start",
          data: { type: "content_block_start", index, content_block: { type: "text", text: "" } }
        },
        ...chunk(block.text, chunkSize).map((text) => delta({ type: "text_delta", text })),
        { event: "content_block_stop", data: { type: "content_block_stop", index } }
      ]
    case "tool_use":
      return [
        {
          event: "content_block_start",
          data: {
            type: "content_block_start",
            index,
            content_block: { type: "tool_use", id: block.id, name: block.name, input: {} }
          }
        },
        ...chunk(JSON.stringify(block.input), chunkSize).map((partial_json) =>
          delta({ type: "input_json_delta", partial_json })
        ),
        { event: "content_block_stop", data: { type: "content_block_stop", index } }
      ]
    case "thinking":
      return [
        {
          event: "content_block_start",
          data: { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }
        },
        ...chunk(block.thinking, chunkSize).map((thinking) => delta({ type: "thinking_delta", thinking })),
        delta({ type: "signature_delta", signature: block.signature }),
        { event: "content_block_stop", data: { type: "content_block_stop", index } }
      ]
  }
}

/** The event sequence the Messages API streams for a reply, `ping` included as the real API sends it. */
export const messageEvents = (
  reply: ModelServer.Reply.Message,
  context: MessageContext
): ReadonlyArray<SseEvent> => {
  const blocks = resolveBlocks(reply, context)
  const usage = resolveUsage(reply, blocks)
  return [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id: context.messageId,
          type: "message",
          role: "assistant",
          model: context.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 }
        }
      }
    },
    { event: "ping", data: { type: "ping" } },
    ...blocks.flatMap((block, index) => blockEvents(block, index, reply.chunkSize)),
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: reply.stopReason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens }
      }
    },
    { event: "message_stop", data: { type: "message_stop" } }
  ]
}

/** The whole message a non-streaming request (`stream` absent or false) gets for a reply. */
export const messageBody = (reply: ModelServer.Reply.Message, context: MessageContext) => {
  const blocks = resolveBlocks(reply, context)
  return {
    id: context.messageId,
    type: "message",
    role: "assistant",
    model: context.model,
    content: blocks,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: resolveUsage(reply, blocks)
  }
}

/** The wire form of one event. */
export const encodeEvent = (event: SseEvent): string => `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`

/** Anthropic's error body: `{"type":"error","error":{"type":...,"message":...},"request_id":...}`. */
export const errorBody = (errorType: string, message: string, requestId: string) => ({
  type: "error",
  error: { type: errorType, message },
  request_id: requestId
})

/** The `error.type` the real API uses for a status. */
export const defaultErrorType = (status: number): string => {
  switch (status) {
    case 400:
      return "invalid_request_error"
    case 401:
      return "authentication_error"
    case 402:
      return "billing_error"
    case 403:
      return "permission_error"
    case 404:
      return "not_found_error"
    case 413:
      return "request_too_large"
    case 429:
      return "rate_limit_error"
    case 504:
      return "timeout_error"
    case 529:
      return "overloaded_error"
    default:
      return "api_error"
  }
}

/** The message the real API uses for a status. */
export const defaultErrorMessage = (status: number): string => {
  switch (status) {
    case 400:
      return "Invalid request"
    case 401:
      return "invalid x-api-key"
    case 403:
      return "Permission denied"
    case 404:
      return "Not found"
    case 429:
      return "Rate limited"
    case 529:
      return "Overloaded"
    default:
      return "Internal server error"
  }
}
