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

// -----------------------------------------------------------------------------
// Shared wire pieces
// -----------------------------------------------------------------------------

/** An optional field: absent on the wire, absent in the decoded value (never `undefined`). */
const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Any JSON object (tool inputs, raw lines kept by the fallback variants).
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
  .annotations({ identifier: "JsonObject" })

/**
 * @since 0.1.0
 * @category models
 */
export type JsonObject = typeof JsonObject.Type

/**
 * A part of a message whose `type` this library does not know (a content block, a stream event, a
 * delta): `rawType` is the wire `type`, `raw` the whole object as written.
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
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  input_tokens: Schema.Number,
  output_tokens: Schema.Number,
  cache_creation_input_tokens: opt(Schema.NullOr(Schema.Number)),
  cache_read_input_tokens: opt(Schema.NullOr(Schema.Number)),
  cache_creation: opt(Schema.NullOr(Schema.Struct({
    ephemeral_5m_input_tokens: opt(Schema.Number),
    ephemeral_1h_input_tokens: opt(Schema.Number)
  }))),
  server_tool_use: opt(Schema.NullOr(Schema.Struct({
    web_search_requests: opt(Schema.Number),
    web_fetch_requests: opt(Schema.Number)
  }))),
  output_tokens_details: opt(Schema.NullOr(Schema.Struct({
    thinking_tokens: opt(Schema.NullOr(Schema.Number))
  }))),
  service_tier: opt(Schema.NullOr(Schema.String)),
  inference_geo: opt(Schema.NullOr(Schema.String)),
  iterations: opt(Schema.NullOr(Schema.Array(Schema.Unknown))),
  speed: opt(Schema.NullOr(Schema.String)),
  fallback_credit: opt(Schema.Unknown)
}).annotations({ identifier: "Usage" })

/**
 * @since 0.1.0
 * @category models
 */
export type Usage = typeof Usage.Type

/**
 * The usage carried by a `message_delta` stream event: every count may be missing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeltaUsage = Schema.Struct({
  input_tokens: opt(Schema.NullOr(Schema.Number)),
  output_tokens: opt(Schema.NullOr(Schema.Number)),
  cache_creation_input_tokens: opt(Schema.NullOr(Schema.Number)),
  cache_read_input_tokens: opt(Schema.NullOr(Schema.Number)),
  server_tool_use: opt(Schema.NullOr(Schema.Struct({
    web_search_requests: opt(Schema.Number),
    web_fetch_requests: opt(Schema.Number)
  })))
}).annotations({ identifier: "DeltaUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export type DeltaUsage = typeof DeltaUsage.Type

/**
 * Per-model totals in `result.modelUsage` (camelCase on the wire).
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
  contextWindow: opt(Schema.Number),
  maxOutputTokens: opt(Schema.Number),
  thinkingTokens: opt(Schema.Number),
  cacheCreationEphemeral5mInputTokens: opt(Schema.Number),
  cacheCreationEphemeral1hInputTokens: opt(Schema.Number),
  canonicalModel: opt(Schema.String),
  provider: opt(Schema.String),
  costBasis: opt(Schema.String)
}).annotations({ identifier: "ModelUsage" })

/**
 * @since 0.1.0
 * @category models
 */
export type ModelUsage = typeof ModelUsage.Type

/**
 * `rate_limit_info` of a `rate_limit_event` (subscription users). `status` is `allowed`,
 * `allowed_warning` or `rejected`; other strings are kept as they are.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RateLimitInfo = Schema.Struct({
  status: Schema.Union(Schema.Literal("allowed", "allowed_warning", "rejected"), Schema.String),
  resetsAt: opt(Schema.Number),
  rateLimitType: opt(Schema.String),
  utilization: opt(Schema.Number),
  overageStatus: opt(Schema.String),
  overageResetsAt: opt(Schema.Number),
  overageDisabledReason: opt(Schema.String),
  isUsingOverage: opt(Schema.Boolean),
  overageInUse: opt(Schema.Boolean),
  overageEnabled: opt(Schema.Boolean),
  surpassedThreshold: opt(Schema.Number),
  limitScope: opt(Schema.String),
  errorCode: opt(Schema.String)
}).annotations({ identifier: "RateLimitInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export type RateLimitInfo = typeof RateLimitInfo.Type

/**
 * An entry of `result.permission_denials`.
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
 * @since 0.1.0
 * @category models
 */
export type PermissionDenial = typeof PermissionDenial.Type

// -----------------------------------------------------------------------------
// Content blocks
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const TextBlock = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  citations: opt(Schema.NullOr(Schema.Array(Schema.Unknown)))
}).annotations({ identifier: "TextBlock" })

/**
 * @since 0.1.0
 * @category models
 */
export type TextBlock = typeof TextBlock.Type

/**
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
 * @since 0.1.0
 * @category models
 */
export type ToolUseBlock = typeof ToolUseBlock.Type

/**
 * A tool the API runs itself (web search, web fetch).
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
 * @since 0.1.0
 * @category models
 */
export type ServerToolUseBlock = typeof ServerToolUseBlock.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  thinking: Schema.String,
  signature: opt(Schema.String)
}).annotations({ identifier: "ThinkingBlock" })

/**
 * @since 0.1.0
 * @category models
 */
export type ThinkingBlock = typeof ThinkingBlock.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const RedactedThinkingBlock = Schema.Struct({
  type: Schema.Literal("redacted_thinking"),
  data: Schema.String
}).annotations({ identifier: "RedactedThinkingBlock" })

/**
 * @since 0.1.0
 * @category models
 */
export type RedactedThinkingBlock = typeof RedactedThinkingBlock.Type

/**
 * A content block of an assistant message; any other block type is kept as an {@link UnknownPart}.
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
 * @since 0.1.0
 * @category models
 */
export type AssistantContentBlock = typeof AssistantContentBlock.Type

/**
 * The `content` of a `tool_result` block: a string or blocks (text; images and others are kept as
 * {@link UnknownPart}).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolResultContent = Schema.Union(
  Schema.String,
  Schema.Array(Schema.Union(TextBlock, unknownPartOf(["text"])))
).annotations({ identifier: "ToolResultContent" })

/**
 * @since 0.1.0
 * @category models
 */
export type ToolResultContent = typeof ToolResultContent.Type

/**
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
 * @since 0.1.0
 * @category models
 */
export type ToolResultBlock = typeof ToolResultBlock.Type

/**
 * A content block of a user message; any other block type is kept as an {@link UnknownPart}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserContentBlock = Schema.Union(TextBlock, ToolResultBlock, unknownPartOf(["text", "tool_result"]))
  .annotations({ identifier: "UserContentBlock" })

/**
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
 * @since 0.1.0
 * @category schemas
 */
export const AssistantMessage = Schema.Struct({
  id: Schema.String,
  type: opt(Schema.String),
  role: Schema.Literal("assistant"),
  model: Schema.String,
  content: Schema.Array(AssistantContentBlock),
  stop_reason: opt(Schema.NullOr(Schema.String)),
  stop_sequence: opt(Schema.NullOr(Schema.String)),
  usage: opt(Schema.NullOr(Usage)),
  context_management: opt(Schema.Unknown),
  container: opt(Schema.Unknown),
  stop_details: opt(Schema.Unknown)
}).annotations({ identifier: "AssistantMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export type AssistantMessage = typeof AssistantMessage.Type

/**
 * The message inside a `user` line: a string, or blocks (tool results, text).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union(Schema.String, Schema.Array(UserContentBlock))
}).annotations({ identifier: "UserMessage" })

/**
 * @since 0.1.0
 * @category models
 */
export type UserMessage = typeof UserMessage.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const TextDelta = Schema.Struct({ type: Schema.Literal("text_delta"), text: Schema.String })
  .annotations({ identifier: "TextDelta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const InputJsonDelta = Schema.Struct({ type: Schema.Literal("input_json_delta"), partial_json: Schema.String })
  .annotations({ identifier: "InputJsonDelta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const ThinkingDelta = Schema.Struct({ type: Schema.Literal("thinking_delta"), thinking: Schema.String })
  .annotations({ identifier: "ThinkingDelta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const SignatureDelta = Schema.Struct({ type: Schema.Literal("signature_delta"), signature: Schema.String })
  .annotations({ identifier: "SignatureDelta" })

/**
 * The `delta` of a `content_block_delta`; other kinds are kept as {@link UnknownPart}.
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
 * @since 0.1.0
 * @category models
 */
export type ContentDelta = typeof ContentDelta.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const MessageStart = Schema.Struct({
  type: Schema.Literal("message_start"),
  message: Schema.Struct({
    id: Schema.String,
    type: opt(Schema.String),
    role: opt(Schema.String),
    model: opt(Schema.String),
    content: opt(Schema.Array(Schema.Unknown)),
    stop_reason: opt(Schema.NullOr(Schema.String)),
    stop_sequence: opt(Schema.NullOr(Schema.String)),
    usage: opt(Schema.NullOr(DeltaUsage))
  })
}).annotations({ identifier: "MessageStart" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockStart = Schema.Struct({
  type: Schema.Literal("content_block_start"),
  index: Schema.Number,
  content_block: AssistantContentBlock
}).annotations({ identifier: "ContentBlockStart" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockDelta = Schema.Struct({
  type: Schema.Literal("content_block_delta"),
  index: Schema.Number,
  delta: ContentDelta
}).annotations({ identifier: "ContentBlockDelta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const ContentBlockStop = Schema.Struct({
  type: Schema.Literal("content_block_stop"),
  index: Schema.Number
}).annotations({ identifier: "ContentBlockStop" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const MessageDelta = Schema.Struct({
  type: Schema.Literal("message_delta"),
  delta: Schema.Struct({
    stop_reason: opt(Schema.NullOr(Schema.String)),
    stop_sequence: opt(Schema.NullOr(Schema.String))
  }),
  usage: opt(Schema.NullOr(DeltaUsage))
}).annotations({ identifier: "MessageDelta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const MessageStop = Schema.Struct({ type: Schema.Literal("message_stop") })
  .annotations({ identifier: "MessageStop" })

/**
 * A raw Messages API stream event carried by a `stream_event` line (`--include-partial-messages`);
 * other kinds (`ping`, ...) are kept as {@link UnknownPart}.
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
 * @since 0.1.0
 * @category models
 */
export type StreamEventPayload = typeof StreamEventPayload.Type

// -----------------------------------------------------------------------------
// Events
// -----------------------------------------------------------------------------

const optionalString = opt(Schema.String)
const optionalBoolean = opt(Schema.Boolean)
const optionalNumber = opt(Schema.Number)
const optionalStrings = opt(Schema.Array(Schema.String))

/**
 * `system` / `init`: the first line of every turn.
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
  plugin_errors: opt(Schema.Array(Schema.Unknown)),
  betas: optionalStrings,
  capabilities: optionalStrings,
  effort: opt(Schema.NullOr(Schema.String)),
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
   * @since 0.1.0
   */
  readonly _tag = "SystemInit"
}

/**
 * `system` / `status`, e.g. `status: "requesting"` before each API request.
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
   * @since 0.1.0
   */
  readonly _tag = "SystemStatus"
}

/**
 * `system` / `api_retry`: an API request failed and will be retried after `retry_delay_ms`.
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
   * @since 0.1.0
   */
  readonly _tag = "SystemApiRetry"
}

/**
 * `system` / `permission_denied`: a tool call was denied without a prompt.
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
   * @since 0.1.0
   */
  readonly _tag = "SystemPermissionDenied"
}

/**
 * A `system` line of any other subtype (`compact_boundary`, `hook_*`, `task_*`, ...): the subtype,
 * the session id when present, and the raw object.
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
   * @since 0.1.0
   */
  readonly _tag = "SystemOther"
}

/**
 * An `assistant` line: one content block of a model response (several lines share
 * `message.id`), or a synthetic API-error message (`model: "<synthetic>"`,
 * `is_api_error_message: true`, `api_error_status`).
 *
 * @since 0.1.0
 * @category events
 */
export class Assistant extends Schema.Class<Assistant>("effect-claude-code/ClaudeEvent/Assistant")({
  type: Schema.Literal("assistant"),
  message: AssistantMessage,
  parent_tool_use_id: opt(Schema.NullOr(Schema.String)),
  session_id: optionalString,
  uuid: optionalString,
  timestamp: optionalString,
  request_id: optionalString,
  error: optionalString,
  is_api_error_message: optionalBoolean,
  api_error_status: opt(Schema.NullOr(Schema.Number)),
  api_error_type: opt(Schema.NullOr(Schema.String)),
  aborted: optionalBoolean,
  agent_id: optionalString,
  supersedes: optionalStrings
}) {
  /**
   * @since 0.1.0
   */
  readonly _tag = "Assistant"
}

/**
 * A `user` line: tool results, a replayed prompt (`isReplay`), or the
 * `[Request interrupted by user]` note after SIGINT.
 *
 * @since 0.1.0
 * @category events
 */
export class User extends Schema.Class<User>("effect-claude-code/ClaudeEvent/User")({
  type: Schema.Literal("user"),
  message: UserMessage,
  parent_tool_use_id: opt(Schema.NullOr(Schema.String)),
  session_id: optionalString,
  uuid: optionalString,
  timestamp: optionalString,
  isReplay: optionalBoolean,
  isSynthetic: optionalBoolean,
  tool_use_result: opt(Schema.Unknown),
  tool_result_meta: opt(Schema.Unknown),
  agent_id: optionalString
}) {
  /**
   * @since 0.1.0
   */
  readonly _tag = "User"
}

/**
 * A `stream_event` line (`--include-partial-messages`): one raw Messages API stream event.
 *
 * @since 0.1.0
 * @category events
 */
export class StreamEvent extends Schema.Class<StreamEvent>("effect-claude-code/ClaudeEvent/StreamEvent")({
  type: Schema.Literal("stream_event"),
  event: StreamEventPayload,
  parent_tool_use_id: opt(Schema.NullOr(Schema.String)),
  session_id: optionalString,
  uuid: optionalString,
  api_message_id: optionalString,
  ttft_ms: optionalNumber,
  thinking_display: optionalString
}) {
  /**
   * @since 0.1.0
   */
  readonly _tag = "StreamEvent"
}

/**
 * A `rate_limit_event` line.
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
   * @since 0.1.0
   */
  readonly _tag = "RateLimit"
}

/**
 * The `result` line ending a turn. Read success from `is_error` and `terminal_reason`, never from
 * `subtype` alone: API errors come as `subtype: "success"` with `is_error: true`.
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
  stop_reason: opt(Schema.NullOr(Schema.String)),
  terminal_reason: optionalString,
  total_cost_usd: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  usage: Schema.optionalWith(Usage, { default: () => ({ input_tokens: 0, output_tokens: 0 }) }),
  modelUsage: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ModelUsage }), { default: () => ({}) }),
  permission_denials: Schema.optionalWith(Schema.Array(PermissionDenial), { default: () => [] }),
  errors: optionalStrings,
  api_error_status: opt(Schema.NullOr(Schema.Number)),
  api_error_type: opt(Schema.NullOr(Schema.String)),
  structured_output: opt(Schema.Unknown),
  startup_failure_reason: optionalString,
  fast_mode_state: optionalString,
  fast_mode_disabled_reason: optionalString,
  subagent_stats: opt(Schema.Unknown),
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
   * @since 0.1.0
   */
  readonly _tag = "Result"
}

/**
 * A line that is a JSON object whose `type` this library does not know (or that has no `type`):
 * kept whole in `raw`, so a newer CLI never breaks a program.
 *
 * @since 0.1.0
 * @category events
 */
export class Unknown extends Schema.Class<Unknown>("effect-claude-code/ClaudeEvent/Unknown")({
  type: optionalString,
  raw: JsonObject
}) {
  /**
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

type Json = { readonly [key: string]: unknown }

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null

/**
 * The content deltas of a `content_block_delta`, by `type`: the field each carries. These are
 * nearly every line of a `--include-partial-messages` run.
 */
const deltaFields: Readonly<Record<string, string>> = {
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
  if (typeof index !== "number" || !isObject(delta) || typeof delta.type !== "string") return undefined
  const field = deltaFields[delta.type]
  if (field === undefined) return undefined
  const value = delta[field]
  if (typeof value !== "string") return undefined
  const event: { -readonly [K in keyof StreamEvent]?: unknown } = Object.create(StreamEvent.prototype)
  event.type = "stream_event"
  event.event = { type: "content_block_delta", index, delta: { type: delta.type, [field]: value } }
  const parent = json.parent_tool_use_id
  if (parent !== undefined) {
    if (parent !== null && typeof parent !== "string") return undefined
    event.parent_tool_use_id = parent
  }
  for (const key of stringKeys) {
    const v = json[key]
    if (v !== undefined) {
      if (typeof v !== "string") return undefined
      event[key] = v
    }
  }
  const ttft = json.ttft_ms
  if (ttft !== undefined) {
    if (typeof ttft !== "number") return undefined
    event.ttft_ms = ttft
  }
  event._tag = "StreamEvent"
  return event as StreamEvent
}

const stringKeys = ["session_id", "uuid", "api_message_id", "thinking_display"] as const

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
 * @since 0.1.0
 * @category encoding
 */
export const encode = (event: ClaudeEvent): JsonObject => (encodeEvent ??= Schema.encodeSync(ClaudeEvent))(event)

/**
 * The event as one line of stream-json (no trailing newline), e.g. for a fake CLI in tests.
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
