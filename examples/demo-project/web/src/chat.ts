import OpenAI from "openai";
import { generateText } from "ai";
import { anthropic } from "@ai-sdk/anthropic";

type SupportModel = "gpt-4o" | "gpt-4o-mini";

const client = new OpenAI({ baseURL: "https://api.moonshot.ai/v1" });

export async function ask(question: string, model: SupportModel = "gpt-4o") {
  const reply = await client.chat.completions.create({
    model: "kimi-k2-0711-preview",
    messages: [{ role: "user", content: question }],
  });
  return reply.choices[0].message.content;
}

export async function draft(prompt: string) {
  return generateText({ model: anthropic("claude-3-5-haiku-20241022"), prompt });
}
