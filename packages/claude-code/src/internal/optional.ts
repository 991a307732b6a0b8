/**
 * Optional fields of the event model and the result, shared by `ClaudeEvent` and `ClaudeResult`.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** An optional field: absent on the wire, absent in the decoded value (never `undefined`). */
export const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

// The optional fields that recur, built once: a schema is immutable, so one value serves every
// struct, and each combinator call is work done when the module loads (a class and an AST node).
export const optionalString = opt(Schema.String)
export const optionalNumber = opt(Schema.Number)
export const optionalBoolean = opt(Schema.Boolean)
export const optionalUnknown = opt(Schema.Unknown)
export const optionalNullableString = opt(Schema.NullOr(Schema.String))
export const optionalNullableNumber = opt(Schema.NullOr(Schema.Number))
export const optionalStrings = opt(Schema.Array(Schema.String))
export const optionalArray = opt(Schema.Array(Schema.Unknown))
export const optionalNullableArray = opt(Schema.NullOr(Schema.Array(Schema.Unknown)))
