import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as ModelServer from "../../ModelServer.js"

const ContentBlockParam = Schema.Struct(
  { type: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

const MessageParam = Schema.Struct(
  {
    role: Schema.String,
    content: Schema.Union(Schema.String, Schema.Array(ContentBlockParam))
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

const Tool = Schema.Struct(
  { name: Schema.optional(Schema.String) },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/** The part of a Messages API request body the server relies on; the rest is kept raw. */
const MessagesBody = Schema.Struct({
  model: Schema.String,
  messages: Schema.Array(MessageParam),
  stream: Schema.optional(Schema.Boolean),
  system: Schema.optional(Schema.Unknown),
  tools: Schema.optional(Schema.Array(Tool))
})

const decodeMessagesBody = Schema.decodeUnknownEither(MessagesBody)

const isSystemReminder = (text: string): boolean => text.trimStart().startsWith("<system-reminder>")

const blockText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  const parts: Array<string> = []
  for (const block of content) {
    if (typeof block === "object" && block !== null && block.type === "text" && typeof block.text === "string") {
      parts.push(block.text)
    }
  }
  return parts.join("\n")
}

/** The last `role: "user"` entry: the CLI may append a `role: "system"` entry after it. */
export const lastUserMessage = (
  messages: ReadonlyArray<ModelServer.MessageParam>
): ModelServer.MessageParam | undefined => {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") return messages[i]
  }
  return undefined
}

/** The text a user typed: the text blocks of the message minus the CLI's `<system-reminder>` blocks. */
export const userText = (message: ModelServer.MessageParam | undefined): string => {
  if (message === undefined) return ""
  if (typeof message.content === "string") return message.content
  const parts: Array<string> = []
  for (const block of message.content) {
    if (block.type === "text" && typeof block.text === "string" && !isSystemReminder(block.text)) {
      parts.push(block.text)
    }
  }
  return parts.join("\n")
}

/** The `tool_result` blocks of a message, their content flattened to text. */
export const toolResults = (
  message: ModelServer.MessageParam | undefined
): ReadonlyArray<ModelServer.ToolResult> => {
  if (message === undefined || typeof message.content === "string") return []
  const results: Array<ModelServer.ToolResult> = []
  for (const block of message.content) {
    if (block.type === "tool_result") {
      results.push({
        toolUseId: typeof block.tool_use_id === "string" ? block.tool_use_id : "",
        content: blockText(block.content),
        isError: block.is_error === true
      })
    }
  }
  return results
}

/** Decodes a `POST /v1/messages` body, or says what is wrong with it in Anthropic's words. */
export const decodeMessagesRequest = (
  recorded: ModelServer.RecordedRequest
): Either.Either<Omit<ModelServer.MessagesRequest, "index">, string> =>
  decodeMessagesBody(recorded.body).pipe(
    Either.mapLeft((error) =>
      recorded.body === undefined
        ? "request body is not valid JSON"
        : ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
          `${issue.path.length === 0 ? "body" : issue.path.join(".")}: ${issue.message}`
        ).join("; ")
    ),
    Either.map((body) => {
      const last = lastUserMessage(body.messages)
      return {
        model: body.model,
        stream: body.stream === true,
        system: body.system,
        tools: (body.tools ?? []).flatMap((tool) => tool.name === undefined ? [] : [tool.name]),
        messages: body.messages,
        lastUserMessage: last,
        text: userText(last),
        toolResults: toolResults(last),
        body: recorded.body as Readonly<Record<string, unknown>>,
        recorded
      }
    })
  )
