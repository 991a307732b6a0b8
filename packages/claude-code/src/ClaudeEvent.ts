/**
 * The events of Claude Code's headless `--output-format stream-json` output: one class per line
 * shape, a `_tag` on each for `Match.tag` / `switch`, and a line decoder.
 *
 * Wire field names are kept exactly as the CLI writes them (`session_id`, `permissionMode`, ...),
 * and so are the wire `type` / `subtype`. Fields a newer CLI adds are ignored; most fields this
 * library does not rely on are optional. Lines of a type this library does not know become
 * {@link Unknown} and `system` lines of an unknown subtype {@link SystemOther}, both keeping the raw
 * object, so a newer CLI never breaks a program.
 *
 * @since 0.1.0
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { pipeThroughChannel } from "effect/Stream"
import { DecodeError, MAX_LINE_IN_ERROR, truncate } from "./internal/decodeError.js"
import {
  opt,
  optionalArray,
  optionalBoolean,
  optionalNullableArray,
  optionalNullableNumber,
  optionalNullableString,
  optionalNumber,
  optionalString,
  optionalStrings,
  optionalUnknown
} from "./internal/optional.js"

// -----------------------------------------------------------------------------
// Shared wire pieces
// -----------------------------------------------------------------------------

/**
 * Any JSON object (tool inputs, raw lines kept by the fallback variants).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.JsonObject)({ file_path: "a.txt" })
 * assert.strictEqual(value.file_path, "a.txt")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
  .annotations({ identifier: "JsonObject" })

/**
 * Any JSON object, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const keys = (input: ClaudeEvent.JsonObject): Array<string> => Object.keys(input)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type JsonObject = typeof JsonObject.Type

/**
 * A part of a message whose `type` this library does not know (a content block, a stream event, a
 * delta): `rawType` is the wire `type`, `raw` the whole object as written.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.UnknownPart)({ type: "unknown", rawType: "image", raw: { type: "image" } })
 * assert.strictEqual(value.rawType, "image")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownPart = Schema.Struct({
  type: Schema.Literal("unknown"),
  rawType: Schema.String,
  raw: JsonObject
}).annotations({ identifier: "UnknownPart" })

/**
 * A content part of a type this library does not know, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const kind = (part: ClaudeEvent.UnknownPart): string => `unsupported ${part.rawType}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type UnknownPart = typeof UnknownPart.Type

/**
 * Decodes any object whose `type` is a string NOT in `known` into an {@link UnknownPart}; used as the
 * last member of a union so that a known `type` with a wrong shape still fails.
 */
const unknownPartOf = (known: ReadonlyArray<string>) => {
  const knownTypes = new Set(known)
  const Wire = Schema.Struct(
    {
      type: Schema.String.pipe(
        Schema.filter((type) => !knownTypes.has(type), {
          message: (issue) => `a "${String(issue.actual)}" with the wrong shape`
        })
      )
    },
    JsonObject
  )
  return Schema.transform(Wire, UnknownPart, {
    strict: true,
    decode: (raw) => ({ type: "unknown" as const, rawType: raw.type, raw }),
    encode: (part) => ({ ...part.raw, type: part.rawType })
  }).annotations({ identifier: `UnknownPart (not ${known.join(" | ")})` })
}

/**
 * Token usage of an Anthropic Messages API response (`message.usage`, `result.usage`).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.Usage)({ input_tokens: 3, output_tokens: 5, cache_read_input_tokens: 1000 })
 * assert.strictEqual(value.output_tokens, 5)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  cache_creation_input_tokens: optionalNullableNumber,
  cache_read_input_tokens: optionalNullableNumber,
  cache_creation: opt(Schema.NullOr(Schema.Struct({
    ephemeral_5m_input_tokens: optionalNumber,
    ephemeral_1h_input_tokens: optionalNumber
  }))),
  server_tool_use: opt(Schema.NullOr(Schema.Struct({
    web_search_requests: optionalNumber,
    web_fetch_requests: optionalNumber
  }))),
  output_tokens_details: opt(Schema.NullOr(Schema.Struct({
    thinking_tokens: optionalNullableNumber
  }))),
  service_tier: optionalNullableString,
  inference_geo: optionalNullableString,
  iterations: optionalNullableArray,
  speed: optionalNullableString,
  fallback_credit: optionalUnknown
}).annotations({ identifier: "Usage" })

/**
 * Token counts of a message, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const total = (usage: ClaudeEvent.Usage): number => usage.input_tokens + usage.output_tokens
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Usage = typeof Usage.Type

/**
 * The usage carried by a `message_delta` stream event: every count may be missing.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.DeltaUsage)({ output_tokens: 12 })
 * assert.strictEqual(value.output_tokens, 12)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeltaUsage = Schema.Struct({
  input_tokens: optionalNullableNumber,
  output_tokens: optionalNullableNumber,
  cache_creation_input_tokens: optionalNullableNumber,
  cache_read_input_tokens: optionalNullableNumber,
  server_tool_use: opt(Schema.NullOr(Schema.Struct({
    web_search_requests: optionalNumber,
    web_fetch_requests: optionalNumber
  })))
}).annotations({ identifier: "DeltaUsage" })

/**
 * Token counts of a streamed message, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const output = (usage: ClaudeEvent.DeltaUsage): number => usage.output_tokens ?? 0
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type DeltaUsage = typeof DeltaUsage.Type

/**
 * Per-model totals in `result.modelUsage` (camelCase on the wire).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ModelUsage)({ inputTokens: 3, outputTokens: 5, costUSD: 0.001 })
 * assert.strictEqual(value.cacheReadInputTokens, 0)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelUsage = Schema.Struct({
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  cacheReadInputTokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  cacheCreationInputTokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  webSearchRequests: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  costUSD: Schema.Number,
  contextWindow: optionalNumber,
  maxOutputTokens: optionalNumber,
  thinkingTokens: optionalNumber,
  cacheCreationEphemeral5mInputTokens: optionalNumber,
  cacheCreationEphemeral1hInputTokens: optionalNumber,
  canonicalModel: optionalString,
  provider: optionalString,
  costBasis: optionalString
}).annotations({ identifier: "ModelUsage" })

/**
 * Token counts and cost of one model, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const cost = (usage: ClaudeEvent.ModelUsage): string => `$${usage.costUSD.toFixed(4)}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ModelUsage = typeof ModelUsage.Type

/**
 * `rate_limit_info` of a `rate_limit_event` (subscription users). `status` is `allowed`,
 * `allowed_warning` or `rejected`; other strings are kept as they are.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.RateLimitInfo)({ status: "allowed_warning", utilization: 0.9 })
 * assert.strictEqual(value.status, "allowed_warning")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const RateLimitInfo = Schema.Struct({
  status: Schema.Union(Schema.Literal("allowed", "allowed_warning", "rejected"), Schema.String),
  resetsAt: optionalNumber,
  rateLimitType: optionalString,
  utilization: optionalNumber,
  overageStatus: optionalString,
  overageResetsAt: optionalNumber,
  overageDisabledReason: optionalString,
  isUsingOverage: optionalBoolean,
  overageInUse: optionalBoolean,
  overageEnabled: optionalBoolean,
  surpassedThreshold: optionalNumber,
  limitScope: optionalString,
  errorCode: optionalString
}).annotations({ identifier: "RateLimitInfo" })

/**
 * The state of a rate limit, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const nearLimit = (info: ClaudeEvent.RateLimitInfo): boolean => info.status === "allowed_warning"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RateLimitInfo = typeof RateLimitInfo.Type

/**
 * An entry of `result.permission_denials`.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.PermissionDenial)({ tool_name: "Bash", tool_use_id: "toolu_1" })
 * assert.deepStrictEqual(value.tool_input, {}) // defaulted
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PermissionDenial = Schema.Struct({
  tool_name: Schema.String,
  tool_use_id: Schema.String,
  tool_input: Schema.optionalWith(JsonObject, { default: () => ({}) })
}).annotations({ identifier: "PermissionDenial" })

/**
 * A tool call that permissions refused, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const denied = (denial: ClaudeEvent.PermissionDenial): string => `${denial.tool_name} was denied`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PermissionDenial = typeof PermissionDenial.Type

// -----------------------------------------------------------------------------
// Content blocks
// -----------------------------------------------------------------------------

/**
 * A text content block.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.TextBlock)({ type: "text", text: "4" })
 * assert.strictEqual(value.text, "4")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextBlock = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  citations: optionalNullableArray
}).annotations({ identifier: "TextBlock" })

/**
 * A text content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const text = (block: ClaudeEvent.TextBlock): string => block.text
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TextBlock = typeof TextBlock.Type

/**
 * A tool call content block: the tool's `name`, its call `id` and its `input`.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ToolUseBlock)({ type: "tool_use", id: "toolu_1", name: "Read", input: { file_path: "a.txt" } })
 * assert.strictEqual(value.name, "Read")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: JsonObject
}).annotations({ identifier: "ToolUseBlock" })

/**
 * A tool call content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const call = (block: ClaudeEvent.ToolUseBlock): string => `${block.name}(${JSON.stringify(block.input)})`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ToolUseBlock = typeof ToolUseBlock.Type

/**
 * A tool the API runs itself (web search, web fetch).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ServerToolUseBlock)({ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "effect" } })
 * assert.strictEqual(value.name, "web_search")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServerToolUseBlock = Schema.Struct({
  type: Schema.Literal("server_tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: JsonObject
}).annotations({ identifier: "ServerToolUseBlock" })

/**
 * A server-side tool call content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const search = (block: ClaudeEvent.ServerToolUseBlock): string => `${block.name} on the server`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ServerToolUseBlock = typeof ServerToolUseBlock.Type

/**
 * A thinking content block (extended thinking), with its signature.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ThinkingBlock)({ type: "thinking", thinking: "2 + 2 = 4" })
 * assert.strictEqual(value.thinking, "2 + 2 = 4")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  thinking: Schema.String,
  signature: optionalString
}).annotations({ identifier: "ThinkingBlock" })

/**
 * A thinking content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const thought = (block: ClaudeEvent.ThinkingBlock): string => block.thinking
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ThinkingBlock = typeof ThinkingBlock.Type

/**
 * A thinking content block the API redacted (`data` is opaque).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.RedactedThinkingBlock)({ type: "redacted_thinking", data: "EmwKAhgBEgy3va..." })
 * assert.strictEqual(value.type, "redacted_thinking")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const RedactedThinkingBlock = Schema.Struct({
  type: Schema.Literal("redacted_thinking"),
  data: Schema.String
}).annotations({ identifier: "RedactedThinkingBlock" })

/**
 * A redacted thinking content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const size = (block: ClaudeEvent.RedactedThinkingBlock): number => block.data.length
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RedactedThinkingBlock = typeof RedactedThinkingBlock.Type

/**
 * A content block of an assistant message; any other block type is kept as an {@link UnknownPart}.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.AssistantContentBlock)({ type: "image", source: { type: "base64" } })
 * assert.strictEqual(value.type, "unknown")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssistantContentBlock = Schema.Union(
  TextBlock,
  ToolUseBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
  ServerToolUseBlock,
  unknownPartOf(["text", "tool_use", "thinking", "redacted_thinking", "server_tool_use"])
).annotations({ identifier: "AssistantContentBlock" })

/**
 * Any content block of an assistant message, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const describe = (block: ClaudeEvent.AssistantContentBlock): string => {
 *   switch (block.type) {
 *     case "text":
 *       return block.text
 *     case "tool_use":
 *     case "server_tool_use":
 *       return `calls ${block.name}`
 *     case "thinking":
 *       return "(thinking)"
 *     case "redacted_thinking":
 *       return "(redacted)"
 *     case "unknown":
 *       return `(${block.rawType})`
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AssistantContentBlock = typeof AssistantContentBlock.Type

/**
 * The `content` of a `tool_result` block: a string or blocks (text; images and others are kept as
 * {@link UnknownPart}).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ToolResultContent)([{ type: "text", text: "ok" }])
 * assert.strictEqual(Schema.decodeUnknownSync(ClaudeEvent.ToolResultContent)("ok"), "ok")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolResultContent = Schema.Union(
  Schema.String,
  Schema.Array(Schema.Union(TextBlock, unknownPartOf(["text"])))
).annotations({ identifier: "ToolResultContent" })

/**
 * The content of a tool result, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const asText = (content: ClaudeEvent.ToolResultContent): string =>
 *   typeof content === "string" ? content : content.map((part) => (part.type === "text" ? part.text : "")).join("")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ToolResultContent = typeof ToolResultContent.Type

/**
 * A tool result content block: the `tool_use_id` it answers, its content, whether it failed.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ToolResultBlock)({ type: "tool_result", tool_use_id: "toolu_1", content: "ok", is_error: false })
 * assert.strictEqual(value.tool_use_id, "toolu_1")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolResultBlock = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String,
  content: opt(ToolResultContent),
  is_error: opt(Schema.NullOr(Schema.Boolean))
}).annotations({ identifier: "ToolResultBlock" })

/**
 * A tool result content block, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const failed = (block: ClaudeEvent.ToolResultBlock): boolean => block.is_error === true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ToolResultBlock = typeof ToolResultBlock.Type

/**
 * A content block of a user message; any other block type is kept as an {@link UnknownPart}.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.UserContentBlock)({ type: "tool_result", tool_use_id: "toolu_1", content: "ok" })
 * assert.strictEqual(value.type, "tool_result")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserContentBlock = Schema.Union(TextBlock, ToolResultBlock, unknownPartOf(["text", "tool_result"]))
  .annotations({ identifier: "UserContentBlock" })

/**
 * Any content block of a user message, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const isToolResult = (block: ClaudeEvent.UserContentBlock): boolean => block.type === "tool_result"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type UserContentBlock = typeof UserContentBlock.Type

// -----------------------------------------------------------------------------
// Messages and stream events
// -----------------------------------------------------------------------------

/**
 * The Anthropic message inside an `assistant` line. The CLI writes one line per content block, so
 * several lines share one `id`; `stop_reason` is `null` on them.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.AssistantMessage)({ id: "msg_1", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text: "4" }] })
 * assert.strictEqual(value.model, "claude-sonnet-4-5")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AssistantMessage = Schema.Struct({
  id: Schema.String,
  type: optionalString,
  role: Schema.Literal("assistant"),
  model: Schema.String,
  content: Schema.Array(AssistantContentBlock),
  stop_reason: optionalNullableString,
  stop_sequence: optionalNullableString,
  usage: opt(Schema.NullOr(Usage)),
  context_management: optionalUnknown,
  container: optionalUnknown,
  stop_details: optionalUnknown
}).annotations({ identifier: "AssistantMessage" })

/**
 * The message of an `assistant` line, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const blocks = (message: ClaudeEvent.AssistantMessage): number => message.content.length
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AssistantMessage = typeof AssistantMessage.Type

/**
 * The message inside a `user` line: a string, or blocks (tool results, text).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.UserMessage)({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] })
 * assert.strictEqual(value.role, "user")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(UserContentBlock))
}).annotations({ identifier: "UserMessage" })

/**
 * The message of a `user` line, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const isText = (message: ClaudeEvent.UserMessage): boolean => typeof message.content === "string"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type UserMessage = typeof UserMessage.Type

/**
 * A streamed piece of a text block.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.TextDelta)({ type: "text_delta", text: "Hel" })
 * assert.strictEqual(value.text, "Hel")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const TextDelta = Schema.Struct({ type: Schema.Literal("text_delta"), text: Schema.String })
  .annotations({ identifier: "TextDelta" })

/**
 * A streamed piece of a tool call's JSON input.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.InputJsonDelta)({ type: "input_json_delta", partial_json: "{\"file_pa" })
 * assert.strictEqual(value.partial_json, "{\"file_pa")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputJsonDelta = Schema.Struct({ type: Schema.Literal("input_json_delta"), partial_json: Schema.String })
  .annotations({ identifier: "InputJsonDelta" })

/**
 * A streamed piece of a thinking block.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ThinkingDelta)({ type: "thinking_delta", thinking: "Let me" })
 * assert.strictEqual(value.thinking, "Let me")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThinkingDelta = Schema.Struct({ type: Schema.Literal("thinking_delta"), thinking: Schema.String })
  .annotations({ identifier: "ThinkingDelta" })

/**
 * The signature of a streamed thinking block.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.SignatureDelta)({ type: "signature_delta", signature: "EqQB..." })
 * assert.strictEqual(value.signature, "EqQB...")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SignatureDelta = Schema.Struct({ type: Schema.Literal("signature_delta"), signature: Schema.String })
  .annotations({ identifier: "SignatureDelta" })

/**
 * The `delta` of a `content_block_delta`; other kinds are kept as {@link UnknownPart}.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ContentDelta)({ type: "citations_delta", citation: {} })
 * assert.strictEqual(value.type, "unknown")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentDelta = Schema.Union(
  TextDelta,
  InputJsonDelta,
  ThinkingDelta,
  SignatureDelta,
  unknownPartOf(["text_delta", "input_json_delta", "thinking_delta", "signature_delta"])
).annotations({ identifier: "ContentDelta" })

/**
 * Any delta of a `content_block_delta`, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const text = (delta: ClaudeEvent.ContentDelta): string => (delta.type === "text_delta" ? delta.text : "")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ContentDelta = typeof ContentDelta.Type

/**
 * `message_start`: a streamed message begins.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.MessageStart)({ type: "message_start", message: { id: "msg_1", model: "claude-sonnet-4-5" } })
 * assert.strictEqual(value.type, "message_start")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageStart = Schema.Struct({
  type: Schema.Literal("message_start"),
  message: Schema.Struct({
    id: Schema.String,
    type: optionalString,
    role: optionalString,
    model: optionalString,
    content: optionalArray,
    stop_reason: optionalNullableString,
    stop_sequence: optionalNullableString,
    usage: opt(Schema.NullOr(DeltaUsage))
  })
}).annotations({ identifier: "MessageStart" })

/**
 * `content_block_start`: content block `index` begins.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ContentBlockStart)({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })
 * assert.strictEqual(value.index, 0)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockStart = Schema.Struct({
  type: Schema.Literal("content_block_start"),
  index: Schema.Number,
  content_block: AssistantContentBlock
}).annotations({ identifier: "ContentBlockStart" })

/**
 * `content_block_delta`: a piece of content block `index`.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ContentBlockDelta)({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } })
 * assert.strictEqual(value.index, 0)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockDelta = Schema.Struct({
  type: Schema.Literal("content_block_delta"),
  index: Schema.Number,
  delta: ContentDelta
}).annotations({ identifier: "ContentBlockDelta" })

/**
 * `content_block_stop`: content block `index` is complete.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.ContentBlockStop)({ type: "content_block_stop", index: 0 })
 * assert.strictEqual(value.index, 0)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockStop = Schema.Struct({
  type: Schema.Literal("content_block_stop"),
  index: Schema.Number
}).annotations({ identifier: "ContentBlockStop" })

/**
 * `message_delta`: the stop reason and usage of a streamed message.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.MessageDelta)({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 12 } })
 * assert.strictEqual(value.type, "message_delta")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageDelta = Schema.Struct({
  type: Schema.Literal("message_delta"),
  delta: Schema.Struct({
    stop_reason: optionalNullableString,
    stop_sequence: optionalNullableString
  }),
  usage: opt(Schema.NullOr(DeltaUsage))
}).annotations({ identifier: "MessageDelta" })

/**
 * `message_stop`: a streamed message is complete.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.MessageStop)({ type: "message_stop" })
 * assert.strictEqual(value.type, "message_stop")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageStop = Schema.Struct({ type: Schema.Literal("message_stop") })
  .annotations({ identifier: "MessageStop" })

/**
 * A raw Messages API stream event carried by a `stream_event` line (`--include-partial-messages`);
 * other kinds (`ping`, ...) are kept as {@link UnknownPart}.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const value = Schema.decodeUnknownSync(ClaudeEvent.StreamEventPayload)({ type: "content_block_stop", index: 1 })
 * assert.strictEqual(value.type, "content_block_stop")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const StreamEventPayload = Schema.Union(
  MessageStart,
  ContentBlockStart,
  ContentBlockDelta,
  ContentBlockStop,
  MessageDelta,
  MessageStop,
  unknownPartOf([
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop"
  ])
).annotations({ identifier: "StreamEventPayload" })

/**
 * Any payload of a `stream_event` line, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const isStop = (payload: ClaudeEvent.StreamEventPayload): boolean => payload.type === "message_stop"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type StreamEventPayload = typeof StreamEventPayload.Type

// -----------------------------------------------------------------------------
// Events
// -----------------------------------------------------------------------------

/**
 * `system` / `init`: the first line of every turn.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}'
 * ))
 * if (event._tag !== "SystemInit") throw new Error(event._tag)
 * assert.strictEqual(event.model, "claude-sonnet-4-5")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class SystemInit extends Schema.Class<SystemInit>("effect-claude-code/ClaudeEvent/SystemInit")({
  type: Schema.Literal("system"),
  subtype: Schema.Literal("init"),
  session_id: Schema.String,
  model: Schema.String,
  cwd: Schema.String,
  tools: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  mcp_servers: Schema.optionalWith(
    Schema.Array(Schema.Struct({ name: Schema.String, status: optionalString, source: optionalString })),
    { default: () => [] }
  ),
  permissionMode: optionalString,
  slash_commands: optionalStrings,
  terminal_slash_commands: optionalStrings,
  apiKeySource: optionalString,
  claude_code_version: optionalString,
  output_style: optionalString,
  agents: optionalStrings,
  skills: optionalStrings,
  plugins: opt(Schema.Array(Schema.Struct({
    name: Schema.String,
    path: optionalString,
    source: optionalString,
    version: optionalString
  }))),
  plugin_errors: optionalArray,
  betas: optionalStrings,
  capabilities: optionalStrings,
  effort: optionalNullableString,
  analytics_disabled: optionalBoolean,
  product_feedback_disabled: optionalBoolean,
  served_by_anthropic: optionalBoolean,
  memory_paths: opt(JsonObject),
  original_cwd: optionalString,
  additional_directories: optionalStrings,
  messaging_socket_path: optionalString,
  fast_mode_state: optionalString,
  fast_mode_disabled_reason: optionalString,
  per_turn_effort_active: optionalBoolean,
  ultrathink_available: optionalBoolean,
  ultrathink_typed_raises: optionalBoolean,
  view_mode: optionalString,
  uuid: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isSystemInit = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.SystemInit => event._tag === "SystemInit"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "SystemInit"
}

/**
 * `system` / `status`, e.g. `status: "requesting"` before each API request.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"system","subtype":"status","session_id":"s1","status":"compacting"}'
 * ))
 * if (event._tag !== "SystemStatus") throw new Error(event._tag)
 * assert.strictEqual(event.session_id, "s1")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class SystemStatus extends Schema.Class<SystemStatus>("effect-claude-code/ClaudeEvent/SystemStatus")({
  type: Schema.Literal("system"),
  subtype: Schema.Literal("status"),
  status: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  permissionMode: optionalString,
  compact_result: optionalString,
  compact_error: optionalString,
  session_id: optionalString,
  uuid: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isSystemStatus = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.SystemStatus => event._tag === "SystemStatus"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "SystemStatus"
}

/**
 * `system` / `api_retry`: an API request failed and will be retried after `retry_delay_ms`.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"system","subtype":"api_retry","session_id":"s1","attempt":1,"max_retries":10,"retry_delay_ms":500,"error_status":529,"error":"overloaded"}'
 * ))
 * if (event._tag !== "SystemApiRetry") throw new Error(event._tag)
 * assert.strictEqual(event.session_id, "s1")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class SystemApiRetry extends Schema.Class<SystemApiRetry>("effect-claude-code/ClaudeEvent/SystemApiRetry")({
  type: Schema.Literal("system"),
  subtype: Schema.Literal("api_retry"),
  attempt: Schema.Number,
  max_retries: Schema.Number,
  retry_delay_ms: Schema.Number,
  error_status: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
  error: optionalString,
  no_response: opt(Schema.Struct({ waited_ms: Schema.Number, retry_wait_ms: Schema.Number })),
  session_id: optionalString,
  uuid: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isSystemApiRetry = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.SystemApiRetry => event._tag === "SystemApiRetry"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "SystemApiRetry"
}

/**
 * `system` / `permission_denied`: a tool call was denied without a prompt.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"system","subtype":"permission_denied","session_id":"s1","tool_name":"Bash","tool_use_id":"toolu_1"}'
 * ))
 * if (event._tag !== "SystemPermissionDenied") throw new Error(event._tag)
 * assert.strictEqual(event.session_id, "s1")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class SystemPermissionDenied
  extends Schema.Class<SystemPermissionDenied>("effect-claude-code/ClaudeEvent/SystemPermissionDenied")({
    type: Schema.Literal("system"),
    subtype: Schema.Literal("permission_denied"),
    tool_name: Schema.String,
    tool_use_id: Schema.String,
    message: Schema.optionalWith(Schema.String, { default: () => "" }),
    agent_id: optionalString,
    decision_reason_type: optionalString,
    decision_reason: optionalString,
    session_id: optionalString,
    uuid: optionalString
  })
{
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isSystemPermissionDenied = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.SystemPermissionDenied => event._tag === "SystemPermissionDenied"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "SystemPermissionDenied"
}

/**
 * A `system` line of any other subtype (`compact_boundary`, `hook_*`, `task_*`, ...): the subtype,
 * the session id when present, and the raw object.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"system","subtype":"hook_started","session_id":"s1","hook":"pre"}'
 * ))
 * if (event._tag !== "SystemOther") throw new Error(event._tag)
 * assert.strictEqual(event.raw.hook, "pre")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class SystemOther extends Schema.Class<SystemOther>("effect-claude-code/ClaudeEvent/SystemOther")({
  type: Schema.Literal("system"),
  subtype: Schema.String,
  session_id: optionalString,
  uuid: optionalString,
  raw: JsonObject
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isSystemOther = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.SystemOther => event._tag === "SystemOther"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "SystemOther"
}

/**
 * An `assistant` line: one content block of a model response (several lines share
 * `message.id`), or a synthetic API-error message (`model: "<synthetic>"`,
 * `is_api_error_message: true`, `api_error_status`).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"assistant","session_id":"s1","message":{"id":"msg_1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}'
 * ))
 * if (event._tag !== "Assistant") throw new Error(event._tag)
 * assert.strictEqual(event.message.content.length, 1)
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class Assistant extends Schema.Class<Assistant>("effect-claude-code/ClaudeEvent/Assistant")({
  type: Schema.Literal("assistant"),
  message: AssistantMessage,
  parent_tool_use_id: optionalNullableString,
  session_id: optionalString,
  uuid: optionalString,
  timestamp: optionalString,
  request_id: optionalString,
  error: optionalString,
  is_api_error_message: optionalBoolean,
  api_error_status: optionalNullableNumber,
  api_error_type: optionalNullableString,
  aborted: optionalBoolean,
  agent_id: optionalString,
  supersedes: optionalStrings
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isAssistant = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.Assistant => event._tag === "Assistant"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "Assistant"
}

/**
 * A `user` line: tool results, a replayed prompt (`isReplay`), or the
 * `[Request interrupted by user]` note after SIGINT.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"user","session_id":"s1","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}}'
 * ))
 * if (event._tag !== "User") throw new Error(event._tag)
 * assert.strictEqual(event.session_id, "s1")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class User extends Schema.Class<User>("effect-claude-code/ClaudeEvent/User")({
  type: Schema.Literal("user"),
  message: UserMessage,
  parent_tool_use_id: optionalNullableString,
  session_id: optionalString,
  uuid: optionalString,
  timestamp: optionalString,
  isReplay: optionalBoolean,
  isSynthetic: optionalBoolean,
  tool_use_result: optionalUnknown,
  tool_result_meta: optionalUnknown,
  agent_id: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isUser = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.User => event._tag === "User"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "User"
}

/**
 * A `stream_event` line (`--include-partial-messages`): one raw Messages API stream event.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"stream_event","session_id":"s1","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}}'
 * ))
 * if (event._tag !== "StreamEvent") throw new Error(event._tag)
 * assert.strictEqual(ClaudeEvent.textDelta(event), "Hel")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class StreamEvent extends Schema.Class<StreamEvent>("effect-claude-code/ClaudeEvent/StreamEvent")({
  type: Schema.Literal("stream_event"),
  event: StreamEventPayload,
  parent_tool_use_id: optionalNullableString,
  session_id: optionalString,
  uuid: optionalString,
  api_message_id: optionalString,
  ttft_ms: optionalNumber,
  thinking_display: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isStreamEvent = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.StreamEvent => event._tag === "StreamEvent"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "StreamEvent"
}

/**
 * A `rate_limit_event` line.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"rate_limit_event","session_id":"s1","rate_limit_info":{"status":"allowed"}}'
 * ))
 * if (event._tag !== "RateLimit") throw new Error(event._tag)
 * assert.strictEqual(event.session_id, "s1")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class RateLimit extends Schema.Class<RateLimit>("effect-claude-code/ClaudeEvent/RateLimit")({
  type: Schema.Literal("rate_limit_event"),
  rate_limit_info: RateLimitInfo,
  session_id: optionalString,
  uuid: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isRateLimit = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.RateLimit => event._tag === "RateLimit"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "RateLimit"
}

/**
 * The `result` line ending a turn. Read success from `is_error` and `terminal_reason`, never from
 * `subtype` alone: API errors come as `subtype: "success"` with `is_error: true`.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1}'
 * ))
 * if (event._tag !== "Result") throw new Error(event._tag)
 * assert.strictEqual(event.result, "4")
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class Result extends Schema.Class<Result>("effect-claude-code/ClaudeEvent/Result")({
  type: Schema.Literal("result"),
  subtype: Schema.String,
  is_error: Schema.Boolean,
  session_id: Schema.String,
  result: optionalString,
  duration_ms: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  duration_api_ms: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  num_turns: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  stop_reason: optionalNullableString,
  terminal_reason: optionalString,
  total_cost_usd: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  usage: Schema.optionalWith(Usage, { default: () => ({ input_tokens: 0, output_tokens: 0 }) }),
  modelUsage: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ModelUsage }), { default: () => ({}) }),
  permission_denials: Schema.optionalWith(Schema.Array(PermissionDenial), { default: () => [] }),
  errors: optionalStrings,
  api_error_status: optionalNullableNumber,
  api_error_type: optionalNullableString,
  structured_output: optionalUnknown,
  startup_failure_reason: optionalString,
  fast_mode_state: optionalString,
  fast_mode_disabled_reason: optionalString,
  subagent_stats: optionalUnknown,
  safety_stops: optionalNumber,
  ttft_ms: optionalNumber,
  ttft_stream_ms: optionalNumber,
  time_to_request_ms: optionalNumber,
  first_content_frame_ms: optionalNumber,
  queued_turn_count: optionalNumber,
  result_index: optionalNumber,
  begun_message_ids: optionalStrings,
  model_usage_since_last_result: opt(Schema.Record({ key: Schema.String, value: ModelUsage })),
  uuid: optionalString
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isResult = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.Result => event._tag === "Result"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "Result"
}

/**
 * A line that is a JSON object whose `type` this library does not know (or that has no `type`):
 * kept whole in `raw`, so a newer CLI never breaks a program.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(
 *   '{"type":"brand_new","x":1}'
 * ))
 * if (event._tag !== "Unknown") throw new Error(event._tag)
 * assert.strictEqual(event.raw.x, 1)
 * ```
 *
 * @since 0.1.0
 * @category events
 */
export class Unknown extends Schema.Class<Unknown>("effect-claude-code/ClaudeEvent/Unknown")({
  type: optionalString,
  raw: JsonObject
}) {
  /**
   * The variant, for `switch` and `Match.tag`.
   *
   * @example
   * ```ts
   * import type { ClaudeEvent } from "effect-claude-code"
   *
   * const isUnknown = (event: ClaudeEvent.ClaudeEvent): event is ClaudeEvent.Unknown => event._tag === "Unknown"
   * ```
   *
   * @since 0.1.0
   */
  readonly _tag = "Unknown"
}

/** Wire `type`s with a dedicated variant. */
const KNOWN_TYPES: ReadonlySet<string> = new Set([
  "system",
  "assistant",
  "user",
  "stream_event",
  "rate_limit_event",
  "result"
])

/** `system` subtypes with a dedicated variant. */
const KNOWN_SYSTEM_SUBTYPES: ReadonlySet<string> = new Set(["init", "status", "api_retry", "permission_denied"])

const stringField = (raw: JsonObject, key: string): string | undefined => {
  const value = raw[key]
  return typeof value === "string" ? value : undefined
}

/**
 * {@link SystemOther} from and to its wire form (the raw object).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const other = Schema.decodeUnknownSync(ClaudeEvent.SystemOtherFromWire)({ type: "system", subtype: "hook_started" })
 * assert.strictEqual(other.subtype, "hook_started")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const SystemOtherFromWire = Schema.transform(
  Schema.Struct(
    {
      type: Schema.Literal("system"),
      subtype: Schema.String.pipe(
        Schema.filter((subtype) => !KNOWN_SYSTEM_SUBTYPES.has(subtype), {
          message: (issue) => `a "system" / "${String(issue.actual)}" line with the wrong shape`
        })
      )
    },
    JsonObject
  ),
  SystemOther,
  {
    strict: true,
    decode: (raw) => {
      const session_id = stringField(raw, "session_id")
      const uuid = stringField(raw, "uuid")
      return {
        type: "system" as const,
        subtype: raw.subtype,
        ...(session_id === undefined ? {} : { session_id }),
        ...(uuid === undefined ? {} : { uuid }),
        raw
      }
    },
    encode: (other) => ({ ...other.raw, type: "system" as const, subtype: other.subtype })
  }
)

/**
 * {@link Unknown} from and to its wire form (the raw object).
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const unknown = Schema.decodeUnknownSync(ClaudeEvent.UnknownFromWire)({ type: "brand_new" })
 * assert.strictEqual(unknown.type, "brand_new")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownFromWire = Schema.transform(
  JsonObject.pipe(
    Schema.filter((raw) => !(typeof raw.type === "string" && KNOWN_TYPES.has(raw.type)), {
      message: (issue) => `a "${String((issue.actual as any)?.type)}" line with the wrong shape`
    })
  ),
  Unknown,
  {
    strict: true,
    decode: (raw) => {
      const type = stringField(raw, "type")
      return type === undefined ? { raw } : { type, raw }
    },
    encode: (unknown) => unknown.raw
  }
)

/**
 * Any line of Claude Code's stream-json output.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 *
 * const describe = (event: ClaudeEvent.ClaudeEvent): string => {
 *   switch (event._tag) {
 *     case "SystemInit":
 *       return `session ${event.session_id} on ${event.model}`
 *     case "Result":
 *       return event.is_error ? "failed" : "done"
 *     default:
 *       return event._tag
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClaudeEvent =
  | SystemInit
  | SystemStatus
  | SystemApiRetry
  | SystemPermissionDenied
  | SystemOther
  | Assistant
  | User
  | StreamEvent
  | RateLimit
  | Result
  | Unknown

/**
 * The schema of a line (wire form <-> event). {@link decodeLine} gives the same results without a
 * union search: it dispatches on `type` / `subtype` to one decoder per variant.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const decode = Schema.decodeUnknownSync(ClaudeEvent.ClaudeEvent)
 * const event = decode({ type: "result", subtype: "success", session_id: "s1", is_error: false, result: "4" })
 * assert.strictEqual(event._tag, "Result")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClaudeEvent: Schema.Schema<ClaudeEvent, JsonObject> = Schema.Union(
  SystemInit,
  SystemStatus,
  SystemApiRetry,
  SystemPermissionDenied,
  SystemOtherFromWire,
  Assistant,
  User,
  StreamEvent,
  RateLimit,
  Result,
  UnknownFromWire
) as any

/**
 * The `_tag` of every event variant.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const interesting: ReadonlyArray<ClaudeEvent.Tag> = ["Assistant", "Result"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = ClaudeEvent["_tag"]

// -----------------------------------------------------------------------------
// Decoding
// -----------------------------------------------------------------------------

/**
 * A line of output that is not a JSON object: diagnostic text, e.g. stderr merged in by a
 * pseudo-terminal (`error: unknown option '--x'`). Not an event; keep it for error messages.
 * `text` is cut to 4 KB.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const line = Either.getOrThrow(ClaudeEvent.decodeLine("error: unknown option '--x'", 3))
 * assert.deepStrictEqual(line, new ClaudeEvent.Diagnostic({ lineNumber: 3, text: "error: unknown option '--x'" }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Diagnostic extends Schema.TaggedClass<Diagnostic>("effect-claude-code/ClaudeEvent/Diagnostic")(
  "Diagnostic",
  { lineNumber: Schema.Number, text: Schema.String }
) {}

/**
 * What a line decodes to: an event, or diagnostic text.
 *
 * @example
 * ```ts
 * import type { ClaudeEvent } from "effect-claude-code"
 *
 * const isEvent = (decoded: ClaudeEvent.Decoded): decoded is ClaudeEvent.ClaudeEvent => decoded._tag !== "Diagnostic"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Decoded = ClaudeEvent | Diagnostic

const MAX_DIAGNOSTIC = 4096
const MAX_ISSUE = 300

type Decoder = (input: unknown) => Either.Either<ClaudeEvent, ParseResult.ParseError>

/**
 * A decoder for one event class that skips the class's own decoding step. That step validates
 * nothing more than the fields' struct (it runs `new Class(fields, true)`), but its constructor
 * copies and scans the fields again and it costs as much as the fields themselves; here the struct
 * is decoded and the instance built from it directly, with the same prototype and own fields
 * (`_tag` included) as `new Class(...)` gives.
 */
const eventDecoder = <Fields extends Schema.Struct.Fields, A extends ClaudeEvent>(
  Class: { readonly fields: Fields; readonly prototype: A },
  tag: A["_tag"]
): Decoder => {
  const prototype = Class.prototype
  return lazy(() => {
    const decodeFields = Schema.decodeUnknownEither(Schema.Struct(Class.fields) as unknown as Schema.Schema<object>)
    return (input) => {
      const decoded = decodeFields(input)
      if (Either.isLeft(decoded)) return decoded as Either.Either<never, ParseResult.ParseError>
      const event = Object.assign(Object.create(prototype), decoded.right)
      event._tag = tag
      return Either.right(event)
    }
  })
}

/**
 * A decoder compiled on its first use, not when the module loads: a program that never meets a
 * line type does not pay for compiling its schema (importing the library stays cheap).
 */
const lazy = (compile: () => Decoder): Decoder => {
  let decoder: Decoder | undefined
  return (input) => (decoder ??= compile())(input)
}

/** @internal */
export type Json = { readonly [key: string]: unknown }

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null

/**
 * The content deltas of a `content_block_delta`, by `type`: the field each carries. These are
 * nearly every line of a `--include-partial-messages` run.
 *
 * @internal
 */
export const deltaFields: Readonly<Record<string, string>> = {
  text_delta: "text",
  input_json_delta: "partial_json",
  thinking_delta: "thinking",
  signature_delta: "signature"
}

/**
 * A hand-compiled decoder for the high-volume `stream_event` / `content_block_delta` lines: it
 * checks the same schema as {@link StreamEvent} (every field's type; absent optional fields stay
 * absent; unknown fields are dropped) and builds the same event, ten times faster than the generic
 * Schema interpreter. It only ever accepts: any line it does not recognise entirely (another
 * payload, a field of the wrong type) returns `undefined` and goes to the Schema decoder, which
 * stays the single authority for what is valid and for the error. A test checks both decoders
 * agree on every recorded line and on mutations of them.
 */
const decodeContentBlockDelta = (json: Json): StreamEvent | undefined => {
  const payload = json.event
  if (!isObject(payload) || payload.type !== "content_block_delta") return undefined
  const index = payload.index
  const delta = payload.delta
  if (typeof index !== "number" || !isObject(delta)) return undefined
  const deltaType = delta.type
  let wireDelta: Json
  if (deltaType === "text_delta") {
    // nearly every line
    const text = delta.text
    if (typeof text !== "string") return undefined
    wireDelta = makeWireDelta("text_delta", "text", text)
  } else {
    if (typeof deltaType !== "string") return undefined
    const field = deltaFields[deltaType]
    if (field === undefined) return undefined
    const value = delta[field]
    if (typeof value !== "string") return undefined
    wireDelta = makeWireDelta(deltaType, field, value)
  }
  // Each optional field read and checked by name (not in a loop over the keys, whose keyed
  // stores V8 cannot specialise).
  const parent = json.parent_tool_use_id
  const session_id = json.session_id
  const uuid = json.uuid
  const api_message_id = json.api_message_id
  const thinking_display = json.thinking_display
  const ttft = json.ttft_ms
  if (
    (parent !== undefined && parent !== null && typeof parent !== "string") ||
    !isOptionalString(session_id) || !isOptionalString(uuid) || !isOptionalString(api_message_id) ||
    !isOptionalString(thinking_display) || (ttft !== undefined && typeof ttft !== "number")
  ) return undefined
  return makeDeltaEvent(
    index,
    wireDelta,
    parent as string | null | undefined,
    session_id as string | undefined,
    uuid as string | undefined,
    api_message_id as string | undefined,
    thinking_display as string | undefined,
    ttft as number | undefined
  )
}

/**
 * The `delta` of a `content_block_delta`, as the fast paths build it: `type` and its one field
 * (see `deltaFields`), set in that order.
 *
 * @internal
 */
export const makeWireDelta = (type: string, field: string, value: string): Json => {
  const delta = plainObject()
  delta.type = type
  if (field === "text") delta.text = value // nearly every line: a named store V8 specialises
  else delta[field] = value
  return delta
}

/**
 * The {@link StreamEvent} of a `content_block_delta` whose fields have been checked (by
 * {@link decodeParsedFast}, or by the byte-level fast path of the runner): the same event the Schema
 * decoder makes, its fields set in one fixed order (one hidden class), the absent optional ones
 * left out.
 *
 * @internal
 */
export const makeDeltaEvent = (
  index: number,
  delta: Json,
  parent: string | null | undefined,
  session_id: string | undefined,
  uuid: string | undefined,
  api_message_id: string | undefined,
  thinking_display: string | undefined,
  ttft: number | undefined
): StreamEvent => {
  const event: { -readonly [K in keyof StreamEvent]?: unknown } = Object.create(StreamEvent.prototype)
  event.type = "stream_event"
  const inner = plainObject()
  inner.type = "content_block_delta"
  inner.index = index
  inner.delta = delta
  event.event = inner
  if (parent !== undefined) event.parent_tool_use_id = parent
  if (session_id !== undefined) event.session_id = session_id
  if (uuid !== undefined) event.uuid = uuid
  if (api_message_id !== undefined) event.api_message_id = api_message_id
  if (thinking_display !== undefined) event.thinking_display = thinking_display
  if (ttft !== undefined) event.ttft_ms = ttft
  event._tag = "StreamEvent"
  return event as StreamEvent
}

const isOptionalString = (u: unknown): boolean => u === undefined || typeof u === "string"

/**
 * A plain object (as `{}`) made without an object literal. V8 tracks how many objects of each
 * literal survive a young-generation collection; a chunk of events is alive while the consumer
 * has it, so right after the decoder is (re)optimised nearly all recent delta objects are alive at
 * a collection, and V8 then allocates every later one straight in the old generation
 * ("pretenuring"), which grows until a full collection: peak memory then grew with the length of
 * a stream (1M streamed events: 72-97 MiB heap, against 56-58 MiB with `--no-allocation-site-pretenuring`)
 * and decoding got slower. Objects not made from a literal are never pretenured.
 */
const plainObject = (): { [key: string]: unknown } => Object.create(Object.prototype)

const decodeStreamEventSchema = eventDecoder(StreamEvent, "StreamEvent")

const decodeStreamEvent: Decoder = (input) => {
  const fast = decodeContentBlockDelta(input as Json)
  return fast === undefined ? decodeStreamEventSchema(input) : Either.right(fast)
}

/**
 * The generic (Schema) decoder of a parsed line: what {@link decodeLine} does without its fast
 * path, for tests that check both agree.
 *
 * @internal
 */
export const decodeParsedWithSchema = (json: Json): Either.Either<ClaudeEvent, ParseResult.ParseError> =>
  json.type === "stream_event" ? decodeStreamEventSchema(json) : pickDecoder(json)(json)

/**
 * The fast path alone (`undefined` when it does not take the line).
 *
 * @internal
 */
export const decodeParsedFast = (json: Json): ClaudeEvent | undefined =>
  json.type === "stream_event" ? decodeContentBlockDelta(json) : undefined

const decoders: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ["assistant", eventDecoder(Assistant, "Assistant")],
  ["user", eventDecoder(User, "User")],
  ["stream_event", decodeStreamEvent],
  ["rate_limit_event", eventDecoder(RateLimit, "RateLimit")],
  ["result", eventDecoder(Result, "Result")]
])

const systemDecoders: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ["init", eventDecoder(SystemInit, "SystemInit")],
  ["status", eventDecoder(SystemStatus, "SystemStatus")],
  ["api_retry", eventDecoder(SystemApiRetry, "SystemApiRetry")],
  ["permission_denied", eventDecoder(SystemPermissionDenied, "SystemPermissionDenied")]
])

const decodeSystemOther: Decoder = lazy(() => Schema.decodeUnknownEither(SystemOtherFromWire))
const decodeUnknownLine: Decoder = lazy(() => Schema.decodeUnknownEither(UnknownFromWire))

/**
 * A line of each type every run writes, in the order they arrive (`system/init`, `system/status`,
 * a `stream_event` the fast path does not take, `assistant`, `result`), with the nested parts most
 * runs have, each decoded once by {@link warmUp}. Valid: a test checks each decodes to its event.
 *
 * @internal
 */
export const warmUpLines: ReadonlyArray<string> = [
  `{"type":"system","subtype":"init","cwd":"","session_id":"","tools":[""],"mcp_servers":[{"name":"","status":""}],` +
  `"model":"","permissionMode":"","slash_commands":[""],"apiKeySource":"","claude_code_version":"",` +
  `"plugins":[{"name":"","path":"","source":""}],"capabilities":[""],"analytics_disabled":true,` +
  `"memory_paths":{"auto":""},"uuid":""}`,
  `{"type":"system","subtype":"status","status":"requesting","session_id":"","uuid":""}`,
  `{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}},` +
  `"session_id":"","parent_tool_use_id":null,"uuid":""}`,
  `{"type":"assistant","message":{"id":"","type":"message","role":"assistant","model":"",` +
  `"content":[{"type":"text","text":""}],"stop_reason":null,"usage":{"input_tokens":0,"output_tokens":0}},` +
  `"parent_tool_use_id":null,"session_id":"","uuid":""}`,
  `{"type":"result","subtype":"success","is_error":false,"session_id":"","result":"","duration_ms":0,"num_turns":1,` +
  `"total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,` +
  `"server_tool_use":{"web_search_requests":0}},"modelUsage":{"m":{"inputTokens":0,"outputTokens":0,"costUSD":0}},` +
  `"permission_denials":[],"terminal_reason":"completed","uuid":""}`
]

let warmed = false

/**
 * Decodes one line of each type every run writes ({@link warmUpLines}), one per turn of the event
 * loop: compiles their decoders and runs each once, so that the first lines of a run are not held
 * up by it (the ten lines of a one-event run: 7 ms to decode cold, 1.3 ms after this). Called once
 * the CLI has been spawned: the CLI takes ~50 ms (a small Node.js program) to a second (the real
 * CLI) to write its first line, and this process has nothing to do meanwhile; a line that arrives
 * sooner is read between two of these steps. Does nothing after the first call.
 *
 * @internal
 */
export const warmUp = (): void => {
  if (warmed) return
  warmed = true
  let next = 0
  const step = () => {
    const line = warmUpLines[next++]
    if (line === undefined) return
    try {
      decodeLine(line)
    } catch {
      // not here, in a timer, where it would crash the process: the first real line of that type
      // compiles its decoder again and fails the run with the error
      return
    }
    setImmediate(step)
  }
  setImmediate(step)
}

const pickDecoder = (json: { readonly [key: string]: unknown }): Decoder => {
  const type = json.type
  if (typeof type !== "string") return decodeUnknownLine
  if (type === "system") {
    const subtype = json.subtype
    return (typeof subtype === "string" && systemDecoders.get(subtype)) || decodeSystemOther
  }
  return decoders.get(type) ?? decodeUnknownLine
}

const formatIssue = (json: { readonly [key: string]: unknown }, error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const what = typeof json.subtype === "string" && json.type === "system"
    ? `"system" / "${json.subtype}" line`
    : `"${String(json.type)}" line`
  // an issue quotes the actual value, which may be megabytes long: keep each short
  const where = issues.slice(0, 3).map((issue) => {
    const message = truncate(issue.message, MAX_ISSUE)
    return issue.path.length === 0 ? message : `at ${formatPath(issue.path)}: ${message}`
  })
  return `${what}: ${where.join("; ")}`
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key, i) => typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`).join("")

const firstNonSpace = (line: string): number => {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c
  }
  return -1
}

/**
 * Decodes one line of output (without its newline):
 *
 * - a JSON object -> its event: dispatched on `type` (and `subtype` for `system`) to one decoder
 *   per variant; an unknown `type` (or none) gives {@link Unknown}, an unknown `system` subtype
 *   {@link SystemOther};
 * - a JSON object of a known `type` (or `system` subtype) whose fields have the wrong shape ->
 *   `Left(DecodeError)` with the line number, the line cut to 2 KB and what did not match;
 * - anything else (not JSON, or JSON that is not an object) -> {@link Diagnostic}.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const ok = ClaudeEvent.decodeLine('{"type":"result","subtype":"success","session_id":"s1","is_error":false}')
 * assert.strictEqual(Either.isRight(ok) && ok.right._tag, "Result")
 * const wrong = ClaudeEvent.decodeLine('{"type":"result","is_error":"no"}', 7)
 * assert.strictEqual(Either.isLeft(wrong) && wrong.left.lineNumber, 7)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeLine = (line: string, lineNumber: number = 1): Either.Either<Decoded, DecodeError> => {
  // Only text starting with "{" can be a JSON object: skip JSON.parse (and its exception) otherwise.
  if (firstNonSpace(line) !== 0x7b) return Either.right(diagnostic(line, lineNumber))
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    return Either.right(diagnostic(line, lineNumber))
  }
  const object = json as { readonly [key: string]: unknown }
  const decoded = pickDecoder(object)(object)
  // a Right carries no Left value: reuse it instead of allocating another
  return Either.isRight(decoded) ? decoded as Either.Either<ClaudeEvent, never> : Either.left(
    new DecodeError({
      lineNumber,
      line: truncate(line, MAX_LINE_IN_ERROR),
      issue: formatIssue(object, decoded.left)
    })
  )
}

const diagnostic = (line: string, lineNumber: number): Diagnostic =>
  new Diagnostic({ lineNumber, text: truncate(line, MAX_DIAGNOSTIC) }, true)

/**
 * Stream operator: lines in (see `splitLines`), events and diagnostics out, numbering the lines from
 * 1; fails with the first {@link DecodeError} after emitting everything before it.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Chunk, Effect, Stream } from "effect"
 *
 * const decoded = Stream.make('{"type":"brand_new"}', "not json").pipe(ClaudeEvent.decodeLines, Stream.runCollect)
 * const tags = Effect.runSync(decoded).pipe(Chunk.map((d) => d._tag), Chunk.toReadonlyArray)
 * assert.deepStrictEqual(tags, ["Unknown", "Diagnostic"])
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeLines = <E, R>(self: Stream.Stream<string, E, R>): Stream.Stream<Decoded, E | DecodeError, R> =>
  pipeThroughChannel(
    self,
    Channel.suspend(() => {
      let lineNumber = 0
      const loop: Channel.Channel<
        Chunk.Chunk<Decoded>,
        Chunk.Chunk<string>,
        E | DecodeError,
        E,
        unknown,
        unknown
      > = Channel.readWithCause({
        onInput: (lines: Chunk.Chunk<string>) => {
          const out: Array<Decoded> = []
          for (const line of lines) {
            const decoded = decodeLine(line, ++lineNumber)
            if (Either.isLeft(decoded)) {
              const fail = Channel.fail(decoded.left)
              return out.length === 0 ? fail : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), fail)
            }
            out.push(decoded.right)
          }
          return out.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
        },
        onFailure: (cause) => Channel.failCause(cause),
        onDone: () => Channel.void
      })
      return loop
    })
  )

// -----------------------------------------------------------------------------
// Encoding
// -----------------------------------------------------------------------------

let encodeEvent: ((event: ClaudeEvent) => JsonObject) | undefined

/**
 * The wire object of an event (snake_case fields, `type` / `subtype`; `_tag` is not written).
 * Fields this library ignores on decoding are not written back, except for {@link SystemOther} and
 * {@link Unknown}, which write their raw object.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine('{"type":"brand_new","x":1}'))
 * assert.deepStrictEqual(ClaudeEvent.encode(event as ClaudeEvent.ClaudeEvent), { type: "brand_new", x: 1 })
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (event: ClaudeEvent): JsonObject => (encodeEvent ??= Schema.encodeSync(ClaudeEvent))(event)

/**
 * The event as one line of stream-json (no trailing newline), e.g. for a fake CLI in tests.
 *
 * @example
 * ```ts
 * import { ClaudeEvent } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const line = '{"type":"brand_new","x":1}'
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine(line)) as ClaudeEvent.ClaudeEvent
 * assert.strictEqual(ClaudeEvent.encodeLine(event), line)
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLine = (event: ClaudeEvent): string => JSON.stringify(encode(event))

// -----------------------------------------------------------------------------
// Accessors
// -----------------------------------------------------------------------------

/**
 * The text a partial-message event adds (a `text_delta`), or `undefined` for any other event.
 * Subagent deltas (with a `parent_tool_use_id`) count too; filter on that field to skip them.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeEvent } from "effect-claude-code"
 * import { Effect, Option, Stream } from "effect"
 *
 * const tokens = ClaudeCode.stream("Write a haiku", { includePartialMessages: true }).pipe(
 *   Stream.filterMap((event) => Option.fromNullable(ClaudeEvent.textDelta(event))),
 *   Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const textDelta = (event: ClaudeEvent): string | undefined => {
  if (event._tag !== "StreamEvent") return undefined
  const payload = event.event
  return payload.type === "content_block_delta" && payload.delta.type === "text_delta" ? payload.delta.text : undefined
}
