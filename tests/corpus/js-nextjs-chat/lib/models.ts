// Models offered in the picker. Keep in sync with the pricing page.
export type ChatModelId =
  | "gpt-4o"
  | "gpt-4o-mini"
  | "claude-3-5-sonnet-latest"
  | "gemini-1.5-pro-002";

export interface ChatModel {
  id: ChatModelId;
  label: string;
  description: string;
}

export const chatModels: ChatModel[] = [
  { id: "gpt-4o-mini", label: "GPT-4o mini", description: "Small model for fast tasks" },
  { id: "claude-3-5-sonnet-latest", label: "Claude 3.5 Sonnet", description: "For complex work" },
];

export const DEFAULT_CHAT_MODEL: ChatModelId = "gpt-4o-mini";

export const titleModel = "gpt-4o-mini";

export const modelLabels = { fast: "Fast", smart: "Smart" };
