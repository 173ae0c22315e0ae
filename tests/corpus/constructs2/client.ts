import { createOpenAICompatible } from "@ai-sdk/openai-compatible";

export const corvid = createOpenAICompatible({
  name: "corvid",
  baseURL: "https://inference.corvid.dev/v1",
});

const AZURE_URL = "https://:resource_name.openai.azure.com/openai/deployments/:deployment_id";
