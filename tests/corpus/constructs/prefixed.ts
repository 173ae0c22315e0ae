export type Chat = "openai:gpt-4o-mini" | "anthropic:claude-3-5-haiku-latest";
export const LIMITS: Record<string, number> = { "mistral/mistral-large-latest": 128000 };
const r = await fetch("https://api.moonshot.cn/v1/chat/completions", { method: "POST" });
switch (model) {
  case "grok-3": break;
}
const volcengineModels = ["Doubao-pro-32k", "Doubao-lite-4k"];
const endpoint = "hunyuan.tencentcloudapi.com";
export const CUTOFF: Record<string, string> = { "gpt-4o-mini": "2023-10", o1: "2023-10" };
