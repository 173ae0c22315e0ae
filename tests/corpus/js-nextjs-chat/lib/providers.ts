import { openai, createOpenAI } from "@ai-sdk/openai";
import { anthropic } from "@ai-sdk/anthropic";
import { google } from "@ai-sdk/google";
import { customProvider } from "ai";

const deepseek = createOpenAI({
  name: "deepseek",
  baseURL: "https://api.deepseek.com/v1",
  apiKey: process.env.DEEPSEEK_API_KEY,
});

const local = createOpenAI({ baseURL: "http://localhost:1234/v1" });

export const myProvider = customProvider({
  languageModels: {
    "chat-model-small": openai("gpt-4o-mini"),
    "chat-model-large": anthropic("claude-3-5-sonnet-latest"),
    "chat-model-reasoning": deepseek("deepseek-reasoner"),
    "title-model": google("gemini-1.5-flash-8b"),
    "local-model": local(process.env.LOCAL_MODEL ?? "qwen2.5-7b-instruct"),
  },
  textEmbeddingModels: {
    default: openai.embedding("text-embedding-3-small"),
  },
});
