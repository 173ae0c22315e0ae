export const IMAGE_MODEL = "gpt-image-1";
type EmbeddingModel = "text-embedding-3-small" | "text-embedding-3-large";
const embedder = openai.embedding("text-embedding-3-small");
