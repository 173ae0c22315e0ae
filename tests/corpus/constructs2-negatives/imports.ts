// Package and module names that look like model ids.
import SparkMD5 from "spark-md5";
import { haiku } from "claude-3-haiku-client";
export { flash } from "gemini-2.0-flash-wrapper";
const tokenizer = require("llama-3-tokenizer");
const sdk = await import("deepseek-v3-sdk");
jest.mock("qwen2.5-tools");
const model = "custom-model";
const fallback = "your-model";
