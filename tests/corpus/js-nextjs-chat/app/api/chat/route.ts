import { streamText } from "ai";
import OpenAI from "openai";
import { myProvider } from "@/lib/providers";

export const maxDuration = 30;

const moderation = new OpenAI();

export async function POST(req: Request) {
  const { messages, selectedChatModel } = await req.json();
  const check = await moderation.moderations.create({
    model: "omni-moderation-latest",
    input: messages.at(-1).content,
  });
  if (check.results[0].flagged) {
    return new Response("flagged", { status: 400 });
  }
  const result = streamText({
    model: myProvider.languageModel(selectedChatModel),
    system: `You are a helpful assistant. model: "gpt-3.5-turbo" is retired.`,
    messages,
  });
  return result.toDataStreamResponse();
}
