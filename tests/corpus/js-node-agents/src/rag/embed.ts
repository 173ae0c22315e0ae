import { pipeline, AutoTokenizer, CLIPVisionModelWithProjection, env } from "@huggingface/transformers";

env.allowLocalModels = false;

const TASK = "feature-extraction";

export async function getExtractor() {
  return pipeline(TASK, "Xenova/bge-small-en-v1.5", { dtype: "q8" });
}

export async function getCaptioner() {
  return pipeline("image-to-text", "Xenova/vit-gpt2-image-captioning");
}

export async function getSentiment() {
  // default model for the task
  return pipeline("sentiment-analysis");
}

export async function loadVision() {
  const tokenizer = await AutoTokenizer.from_pretrained("Xenova/clip-vit-base-patch32");
  const model = await CLIPVisionModelWithProjection.from_pretrained("Xenova/clip-vit-base-patch32");
  return { tokenizer, model };
}
