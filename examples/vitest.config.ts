import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// The example tests (`*.test.ts` here), with the packages' shared settings.
export default mergeConfig(shared, defineProject({ test: { name: "examples", include: ["*.test.ts"] } }))
