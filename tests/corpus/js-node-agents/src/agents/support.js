import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";

const anthropic = new Anthropic();
const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });

const SUPPORT_MODEL = process.env.SUPPORT_MODEL || "claude-3-5-haiku-20241022";

export async function answer(question) {
  const msg = await anthropic.messages.create({
    model: "claude-3-7-sonnet-20250219",
    max_tokens: 1024,
    messages: [{ role: "user", content: question }],
  });
  return msg.content[0].text;
}

export async function classify(text) {
  const response = await ai.models.generateContent({
    model: 'gemini-2.0-flash-001',
    contents: `Classify: ${text}`,
  });
  return response.text;
}

export const agentConfig = {
  name: "Support Agent",
  displayName: "claude-3-opus",
  tokenizer: "cl100k_base",
};
