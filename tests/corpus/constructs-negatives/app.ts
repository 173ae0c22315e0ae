// Larger models answer better, but they cost more; pick by budget.
const label = { displayName: "Claude 3.5 Sonnet" };
const prefixes = ["gpt-", "claude-"];
console.log("using gpt-4o");
const local = new OpenAI({ baseURL: "http://localhost:1234/v1" });
const menu = [{ label: "Doubao-pro-32k" }, { title: "GPT-4o" }, { name: "Claude-3-Opus" }];
const sites = { home: "openai.com", docs: "mistral.ai" };
const style = { h1: 2, v2: true, grid3: "auto" };
