import ollama from "ollama";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";

export async function chatLocal(prompt) {
  const res = await ollama.chat({
    model: "llama3.1",
    messages: [{ role: "user", content: prompt }],
  });
  await ollama.pull({ model: "mistral-nemo:12b" });
  return res.message.content;
}

export const localLlm = new ChatOllama({
  model: "qwen2.5:14b",
  baseUrl: "http://localhost:11434",
  temperature: 0,
});

export const cloudLlm = new ChatOpenAI({
  modelName: "gpt-4o-2024-11-20",
  configuration: { baseURL: "https://openrouter.ai/api/v1" },
});

export const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-large", dimensions: 1024 });
